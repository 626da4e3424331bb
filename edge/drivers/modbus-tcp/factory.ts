import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { z } from 'zod';
import type { DriverFactory } from '../../../shared/driver.ts';
import { deviceId } from '../../../shared/ids.ts';
import { describeIssues } from '../../config.ts';
import { HealthTracker } from '../health.ts';
import { ModbusConnection } from './connection.ts';
import { ModbusDevice } from './device.ts';
import { ModbusDriver } from './driver.ts';
import abbTerraAc from './maps/abb-terra-ac.json' with { type: 'json' };
import eastronSdm630 from './maps/eastron-sdm630.json' with { type: 'json' };
import { type RegisterMap, registerMapFile } from './register-map.ts';

/** The register maps shipped in maps/, by the name a device's `model` gives. */
const builtInMaps: Record<string, unknown> = {
  'abb-terra-ac': abbTerraAc,
  'eastron-sdm630': eastronSdm630,
};

export const modbusSettings = z
  .object({
    /** How long a connect or one request may take. */
    timeoutMs: z.int().min(10).max(60_000).default(1_000),
    /** More tries of a request after a timeout or a lost connection. */
    retries: z.int().min(0).max(5).default(2),
    /** Polls failed in a row before a device counts as failing (fewer: degraded). */
    failingAfter: z.int().min(1).max(100).default(3),
    devices: z
      .array(
        z
          .object({
            deviceId,
            host: z.string().min(1).max(253),
            port: z.int().min(1).max(65_535).default(502),
            unitId: z.int().min(0).max(255).default(1),
            /** A register map shipped with the agent (edge/drivers/modbus-tcp/maps/<model>.json)... */
            model: z
              .string()
              .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a map name such as abb-terra-ac')
              .optional(),
            /** ...or a map file of the city's own. */
            mapFile: z.string().min(1).optional(),
          })
          .strict()
          .refine((d) => (d.model === undefined) !== (d.mapFile === undefined), {
            message: 'give either model or mapFile',
            path: ['model'],
          }),
      )
      .min(1)
      .max(1_000),
  })
  .strict();
export type ModbusSettings = z.infer<typeof modbusSettings>;

/** A device's register map: a shipped one by name, or the city's own file, checked. */
export function loadRegisterMap(device: { model?: string; mapFile?: string }): RegisterMap {
  let json: unknown;
  const where = device.model ? `model ${device.model}` : `mapFile ${device.mapFile}`;
  if (device.model) {
    json = builtInMaps[device.model];
    if (json === undefined)
      throw new Error(`${where}: no such register map (there are: ${Object.keys(builtInMaps).join(', ')})`);
  } else {
    try {
      json = JSON.parse(readFileSync(device.mapFile as string, 'utf8'));
    } catch (error) {
      throw new Error(`${where}: cannot read it: ${(error as Error).message}`);
    }
  }
  const map = registerMapFile.safeParse(json);
  if (!map.success) throw new Error(`${where}: ${describeIssues(map.error)}`);
  return map.data;
}

/**
 * The `modbus-tcp` driver (docs/drivers.md): devices read over Modbus TCP as their model's register
 * map says, one driver per kind of the entry's devices, one health for the entry. Each device must
 * be one of the gateway's in the fleet file, of its map's kind.
 */
export const modbusDriverFactory: DriverFactory<ModbusSettings> = {
  settings: modbusSettings,
  create(settings, { gatewayId, devices: fleet, name, log = pino({ level: 'silent' }) }) {
    const identity = { driver: 'modbus-tcp', ...(name ? { name } : {}) };
    const devices = settings.devices.map((d, i) => {
      const map = loadRegisterMap(d);
      const known = fleet.find((f) => f.id === d.deviceId);
      if (!known) throw new Error(`devices[${i}]: ${d.deviceId} is not a device of ${gatewayId}`);
      if (known.kind !== map.kind)
        throw new Error(`devices[${i}]: ${d.deviceId} is a ${known.kind}; its map reads a ${map.kind}`);
      const connection = new ModbusConnection({
        host: d.host,
        port: d.port,
        unitId: d.unitId,
        timeoutMs: settings.timeoutMs,
        retries: settings.retries,
      });
      return new ModbusDevice(d.deviceId, map, connection);
    });
    const byKind = Map.groupBy(devices, (d) => d.map.kind);
    const driverLog = log.child(identity);
    return {
      drivers: [...byKind].map(([kind, group]) => {
        const units = group.map((d) => d.deviceId);
        const tracker = new HealthTracker(identity, units, settings.failingAfter);
        return new ModbusDriver(kind, group, tracker, driverLog);
      }),
    };
  },
};
