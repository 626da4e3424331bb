import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { FleetDevice } from '../../../shared/fleet.ts';
import { deviceId } from '../../../shared/ids.ts';
import { type DeviceKind, deviceKind } from '../../../shared/kinds/index.ts';
import { describeIssues } from '../../config.ts';
import { devEui } from './chirpstack-events.ts';
import type { Codec } from './codec.ts';
import { builtInCodecs } from './codecs/index.ts';

/** The codec name of a model whose codec runs in ChirpStack (its device profile): we use `object`. */
export const chirpstackCodec = 'chirpstack';

/** A city's codec file may be at most this large. */
const maxCodecBytes = 256 * 1024;

const variables = z.record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/), z.string().max(256));

/**
 * A device model: the kind its devices are, and the codec that reads and writes their frames: one
 * of ours (`codec`: `milesight-em310-udl`, `nas-ul20xx`), `chirpstack` (the device profile's codec in
 * ChirpStack decodes, its `object` is used), or a city's JavaScript file (`codecFile`, relative to
 * the table, run in the sandbox).
 */
const deviceModel = z
  .object({
    kind: deviceKind,
    codec: z.string().min(1).optional(),
    codecFile: z.string().min(1).optional(),
    /** ChirpStack-style device variables every device of the model gets (a device's own win). */
    variables: variables.default({}),
    /** Whether downlinks are sent as confirmed data. */
    confirmed: z.boolean().default(false),
    /** The downlink port when the codec gives none (required with `chirpstack`). */
    fPort: z.int().min(1).max(223).optional(),
  })
  .strict()
  .refine((m) => (m.codec === undefined) !== (m.codecFile === undefined), 'give either codec or codecFile')
  .refine((m) => m.codec !== chirpstackCodec || m.fPort !== undefined, {
    message: 'a model with the chirpstack codec needs fPort for its downlinks',
    path: ['fPort'],
  });

export const deviceTable = z
  .object({
    models: z.record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), deviceModel),
    devices: z
      .array(z.object({ devEui, deviceId, model: z.string(), variables: variables.default({}) }).strict())
      .max(100_000),
  })
  .strict();
export type DeviceTable = z.infer<typeof deviceTable>;

/** How a device's frames are read: a codec of ours, a city's file, or ChirpStack's `object`. */
export type CodecRef =
  | { type: 'builtIn'; codec: Codec }
  | { type: 'file'; path: string; source: string }
  | { type: 'chirpstack' };

/** A device of the table, with its model's settings resolved. */
export interface LoRaDevice {
  devEui: string;
  deviceId: string;
  kind: DeviceKind;
  model: string;
  codec: CodecRef;
  variables: Record<string, string>;
  confirmed: boolean;
  fPort?: number;
}

export class DeviceTableError extends Error {}

function readCodecFile(path: string, model: string): string {
  try {
    if (statSync(path).size > maxCodecBytes) throw new Error(`larger than ${maxCodecBytes / 1024} KiB`);
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new DeviceTableError(`models.${model}.codecFile: cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * The devices of a table, checked: every model named exists and has a known codec (a codec file is
 * read now), DevEUIs and device ids are unique, and each device is one of the gateway's devices in
 * the fleet file, of its model's kind.
 */
export function resolveDevices(
  table: DeviceTable,
  tableDir: string,
  fleet: readonly FleetDevice[],
): LoRaDevice[] {
  const codecs = new Map<string, CodecRef>();
  for (const [name, model] of Object.entries(table.models)) {
    if (model.codecFile !== undefined) {
      const path = resolve(tableDir, model.codecFile);
      codecs.set(name, { type: 'file', path, source: readCodecFile(path, name) });
    } else if (model.codec === chirpstackCodec) codecs.set(name, { type: 'chirpstack' });
    else {
      const codec = builtInCodecs[model.codec as string];
      if (!codec) {
        const known = [...Object.keys(builtInCodecs), chirpstackCodec].join(', ');
        throw new DeviceTableError(`models.${name}.codec: no codec ${model.codec} (known: ${known})`);
      }
      codecs.set(name, { type: 'builtIn', codec });
    }
  }
  const ours = new Map(fleet.map((d) => [d.id, d]));
  const euis = new Set<string>();
  const ids = new Set<string>();
  return table.devices.map((device, index) => {
    const where = `devices[${index}]`;
    const model = table.models[device.model];
    const codec = codecs.get(device.model);
    if (!model || !codec) throw new DeviceTableError(`${where}.model: no model ${device.model} in models`);
    if (euis.has(device.devEui))
      throw new DeviceTableError(`${where}.devEui: ${device.devEui} is listed twice`);
    if (ids.has(device.deviceId))
      throw new DeviceTableError(`${where}.deviceId: ${device.deviceId} is listed twice`);
    euis.add(device.devEui);
    ids.add(device.deviceId);
    const fleetDevice = ours.get(device.deviceId);
    if (!fleetDevice)
      throw new DeviceTableError(
        `${where}.deviceId: ${device.deviceId} is not a device of this gateway in the fleet file`,
      );
    if (fleetDevice.kind !== model.kind)
      throw new DeviceTableError(
        `${where}: ${device.deviceId} is a ${fleetDevice.kind} in the fleet file, model ${device.model} is for a ${model.kind}`,
      );
    return {
      devEui: device.devEui,
      deviceId: device.deviceId,
      kind: model.kind,
      model: device.model,
      codec,
      variables: { ...model.variables, ...device.variables },
      confirmed: model.confirmed,
      ...(model.fPort !== undefined ? { fPort: model.fPort } : {}),
    };
  });
}

/** Reads, validates and resolves the table at `path` (see resolveDevices); errors name the file and field. */
export function loadDeviceTable(path: string, fleet: readonly FleetDevice[]): LoRaDevice[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DeviceTableError(`deviceTable: cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = deviceTable.safeParse(json);
  if (!parsed.success) throw new DeviceTableError(`deviceTable ${path}: ${describeIssues(parsed.error)}`);
  try {
    return resolveDevices(parsed.data, dirname(path), fleet);
  } catch (error) {
    throw new DeviceTableError(`deviceTable ${path}: ${(error as Error).message}`);
  }
}
