import type { WriteApi } from '@influxdata/influxdb-client';
import type { InfluxConnection } from '../storage/influx.ts';
import { type SnapshotOptions, StatusSnapshots } from './status-snapshots.ts';

/** What the snapshots take, with InfluxDB in place of the point writer the feature builds. */
export type SnapshotsFeatureDeps = Omit<SnapshotOptions, 'points'> & { influx: InfluxConnection };

/**
 * The status snapshots (`device_status`, `platform_stats`), written straight to InfluxDB through a
 * writer of their own (not the journal: they are derived data written again every interval).
 */
export function snapshotsFeature(deps: SnapshotsFeatureDeps) {
  let writer: WriteApi | undefined;
  const { influx, ...options } = deps;
  const snapshots = new StatusSnapshots({
    ...options,
    points: {
      write: (lines) => {
        if (!writer) throw new Error('the snapshot writer is closed');
        writer.writeRecords(lines);
      },
    },
  });
  return {
    name: 'status snapshots',
    start() {
      writer = influx.writeApi({
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
