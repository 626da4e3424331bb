import { join } from 'node:path';
import type { Logger } from 'pino';
import { connectInflux, type InfluxConnection } from './influx.ts';
import { type LocalInfluxd, startLocalInfluxd } from './local-influxd.ts';

/** The settings it reads, named as in the cloud configuration (which is one). */
export interface InfluxSetup {
  INFLUX_URL?: string;
  INFLUX_TOKEN: string;
  INFLUX_DATABASE: string;
  INFLUX_ORG: string;
  DATA_DIR: string;
}

/** Connects to INFLUX_URL, or starts a private influxd under DATA_DIR when none is configured. */
export async function openInflux(
  config: InfluxSetup,
  log: Logger,
): Promise<{ influx: InfluxConnection; local?: LocalInfluxd }> {
  const settings = { token: config.INFLUX_TOKEN, database: config.INFLUX_DATABASE, org: config.INFLUX_ORG };
  if (config.INFLUX_URL) return { influx: await connectInflux({ url: config.INFLUX_URL, ...settings }) };
  const dir = join(config.DATA_DIR, 'influxdb');
  log.info({ dir }, 'INFLUX_URL is not set: starting a local influxd');
  const local = await startLocalInfluxd(dir);
  log.info({ url: local.url }, 'local influxd ready');
  try {
    return { influx: await connectInflux({ url: local.url, ...settings }), local };
  } catch (error) {
    await local.stop();
    throw error;
  }
}
