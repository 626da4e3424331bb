import type { DriverFactory } from '../../../shared/driver.ts';
import { createLogger } from '../../../shared/log.ts';
import type { Codec } from './codec.ts';
import { ChirpstackConnection } from './connection.ts';
import { loadDeviceTable } from './device-table.ts';
import { ChirpstackDriver } from './driver.ts';
import { CodecSandbox } from './sandbox/codec-sandbox.ts';
import { type ChirpstackSettings, chirpstackSettings } from './settings.ts';

const silent = createLogger('chirpstack', 'silent');

/**
 * The chirpstack driver (`{ "type": "chirpstack", ... }`, see docs/drivers.md): LoRaWAN devices
 * through ChirpStack v4's MQTT integration, one driver per kind in the device table, sharing one
 * connection. A city's codec files share one sandbox process, started on the first call of one.
 */
export const chirpstackDriverFactory: DriverFactory<ChirpstackSettings> = {
  settings: chirpstackSettings,
  create(settings, { gatewayId, name, devices, log = silent }) {
    const table = loadDeviceTable(settings.deviceTable, devices);
    const { timeoutMs, memoryMb, terminateAfterMs } = settings.sandbox;
    const sandbox = new CodecSandbox({
      timeoutMs,
      memoryBytes: memoryMb * 1024 * 1024,
      // Within what the WebAssembly stack holds, so that QuickJS reports the overflow itself.
      stackBytes: 256 * 1024,
      maxOutputChars: 64 * 1024,
      terminateAfterMs,
    });
    const codecs = new Map<string, Codec>();
    for (const device of table) {
      const { codec } = device;
      if (codec.type === 'builtIn') codecs.set(device.model, codec.codec);
      else if (codec.type === 'file') codecs.set(device.model, sandbox.codec(codec.path, codec.source));
    }
    const connection = new ChirpstackConnection({
      settings,
      gatewayId,
      ...(name !== undefined ? { name } : {}),
      devices: table,
      codecs,
      log,
      closeCodecs: () => sandbox.close(),
    });
    const byKind = Map.groupBy(table, (d) => d.kind);
    return {
      drivers: [...byKind].map(
        ([kind, group], index) =>
          new ChirpstackDriver(
            kind,
            group.map((d) => d.deviceId),
            connection,
            index === 0,
          ),
      ),
    };
  },
};
