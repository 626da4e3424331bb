import { join } from 'node:path';
import type { Logger } from 'pino';
import { connectInflux, type InfluxConnection } from './influx.ts';
import { type LocalInfluxd, startLocalInfluxd } from './local-influxd.ts';
import { applyRetentionPolicy } from './retention-policy.ts';

/** The settings it reads, named as in the cloud configuration (which is one). */
export interface InfluxSetup {
  INFLUX_URL?: string;
  INFLUX_TOKEN: string;
  INFLUX_DATABASE: string;
  INFLUX_ORG: string;
  DATA_DIR: string;
  /** How long InfluxDB keeps points: the database's retention policy (1.x). */
  READINGS_RETENTION_DAYS: number;
}

/**
 * Connects to INFLUX_URL, or starts a private influxd under DATA_DIR when none is configured; either
 * way the database keeps READINGS_RETENTION_DAYS of points.
 */
export async function openInflux(
  config: InfluxSetup,
  log: Logger,
): Promise<{ influx: InfluxConnection; local?: LocalInfluxd }> {
  const settings = { token: config.INFLUX_TOKEN, database: config.INFLUX_DATABASE, org: config.INFLUX_ORG };
  const connect = async (url: string) => {
    const influx = await connectInflux({ url, ...settings });
    await applyRetentionPolicy(influx, config.READINGS_RETENTION_DAYS, log);
    return influx;
  };
  if (config.INFLUX_URL) return { influx: await connect(config.INFLUX_URL) };
  const dir = join(config.DATA_DIR, 'influxdb');
  log.info({ dir }, 'INFLUX_URL is not set: starting a local influxd');
  const local = await startLocalInfluxd(dir);
  log.info({ url: local.url }, 'local influxd ready');
  try {
    return { influx: await connect(local.url), local };
  } catch (error) {
    await local.stop();
    throw error;
  }
}
