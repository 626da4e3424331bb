import { join } from 'node:path';
import type { Logger } from 'pino';
import { InfluxConnection } from './influx.ts';
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

/** Retries of the set-up while InfluxDB is unreachable: doubling from the first to the last. */
const retryMs = { first: 1_000, last: 30_000 };

/**
 * Connects to INFLUX_URL, or starts a private influxd under DATA_DIR when none is configured; either
 * way the database keeps READINGS_RETENTION_DAYS of points. An INFLUX_URL that does not answer does
 * not stop the start: the journal buffers what is accepted, the storage thread writes it once
 * InfluxDB answers, and the set-up (database, retention policy) is retried here in the background
 * until it succeeds (`stop` ends the retries).
 */
export async function openInflux(
  config: InfluxSetup,
  log: Logger,
): Promise<{ influx: InfluxConnection; local?: LocalInfluxd; stop(): void }> {
  const settings = { token: config.INFLUX_TOKEN, database: config.INFLUX_DATABASE, org: config.INFLUX_ORG };
  if (config.INFLUX_URL) {
    const influx = new InfluxConnection({ url: config.INFLUX_URL, ...settings });
    const preparing = await prepareInBackground(influx, config.READINGS_RETENTION_DAYS, log);
    return { influx, stop: preparing.stop };
  }
  const dir = join(config.DATA_DIR, 'influxdb');
  log.info({ dir }, 'INFLUX_URL is not set: starting a local influxd');
  const local = await startLocalInfluxd(dir);
  log.info({ url: local.url }, 'local influxd ready');
  const influx = new InfluxConnection({ url: local.url, ...settings });
  try {
    await prepare(influx, config.READINGS_RETENTION_DAYS, log);
    return { influx, local, stop: () => undefined };
  } catch (error) {
    await local.stop();
    throw error;
  }
}

/** Detects the server, creates the database and makes it keep `days` days of points. */
async function prepare(influx: InfluxConnection, days: number, log: Logger): Promise<void> {
  await influx.setUp();
  await applyRetentionPolicy(influx, days, log);
}

/**
 * Prepares the database (see `prepare`) now, or, while InfluxDB does not answer, in the background
 * until it does (the first failure is logged; `stop` ends the retries). Resolves after the first try.
 */
export async function prepareInBackground(
  influx: InfluxConnection,
  days: number,
  log: Logger,
): Promise<{ stop(): void }> {
  const { url, database } = influx.settings;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async (delay: number): Promise<void> => {
    try {
      await prepare(influx, days, log);
      if (delay > retryMs.first) log.info({ url, database }, 'InfluxDB reached and set up');
    } catch (error) {
      if (delay === retryMs.first)
        log.warn(
          { err: error, url, database },
          'InfluxDB is not reachable; starting anyway: the journal keeps what is accepted until it is',
        );
      if (stopped) return;
      timer = setTimeout(() => void attempt(Math.min(retryMs.last, delay * 2)), delay);
      timer.unref();
    }
  };
  await attempt(retryMs.first);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
