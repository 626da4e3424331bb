import type { WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import type { Journal } from '../storage/journal.ts';
import { StatusSnapshots } from './status-snapshots.ts';

export interface SnapshotsFeatureDeps {
  registry: DeviceRegistry;
  journal: Journal;
  influx: InfluxConnection;
  counters: Counters;
  log: Logger;
  now: () => Date;
  mqttClients: () => number;
  deviceEveryMs: number;
  platformEveryMs: number;
}

/**
 * The status snapshots (`device_status`, `platform_stats`), written straight to InfluxDB through a
 * writer of their own (not the journal: they are derived data written again every interval).
 */
export function snapshotsFeature(deps: SnapshotsFeatureDeps) {
  let writer: WriteApi | undefined;
  const snapshots = new StatusSnapshots({
    registry: deps.registry,
    journal: deps.journal,
    points: {
      write: (lines) => {
        if (!writer) throw new Error('the snapshot writer is closed');
        writer.writeRecords(lines);
      },
    },
    counters: deps.counters,
    log: deps.log,
    now: deps.now,
    mqttClients: deps.mqttClients,
    deviceEveryMs: deps.deviceEveryMs,
    platformEveryMs: deps.platformEveryMs,
  });
  return {
    name: 'status snapshots',
    start() {
      writer = deps.influx.writeApi({
        batchSize: 5_000,
        flushInterval: 1_000,
        maxRetries: 3,
        maxBufferLines: 200_000,
      });
      snapshots.start();
    },
    async stop() {
      snapshots.stop();
      await writer?.close();
      writer = undefined;
    },
  };
}
