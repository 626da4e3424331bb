import { join } from 'node:path';
import { connectInflux, type InfluxConnection } from '../cloud/storage/influx.ts';
import { startLocalInfluxd } from '../cloud/storage/local-influxd.ts';
import type { DeviceKind } from '../shared/kinds/index.ts';
import { onCleanup } from './cleanup.ts';
import { findPid } from './proc.ts';
import { countField } from './readings.ts';

/** A private influxd (InfluxDB 1.6.7 here) in `dir`, its pid, and a connection to `database`. */
export interface BenchInfluxd {
  url: string;
  pid: number | undefined;
  influx: InfluxConnection;
  stop(): Promise<void>;
}

export async function startInfluxd(dir: string, database: string): Promise<BenchInfluxd> {
  const local = await startLocalInfluxd(dir);
  const stop = onCleanup(`influxd ${dir}`, () => local.stop());
  const influx = await connectInflux({ url: local.url, token: '', database, org: '' });
  return { url: local.url, pid: findPid(['influxd', join(dir, 'influxdb.conf')]), influx, stop };
}

/** Readings stored per kind with device time in [from, to), summed: one COUNT per kind measurement. */
export async function countStored(influx: InfluxConnection, from: number, to: number): Promise<number> {
  const kinds = Object.keys(countField) as DeviceKind[];
  const statements = kinds.map(
    (kind) => `SELECT COUNT("${countField[kind]}") FROM "${kind}" WHERE time >= ${from}ms AND time < ${to}ms`,
  );
  const results = await influx.query(statements.join('; '));
  return results.reduce((sum, series) => sum + Number(series[0]?.values[0]?.[1] ?? 0), 0);
}
