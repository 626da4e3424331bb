import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { issueCredential } from '../../cloud/broker/credentials.ts';
import { Cloud } from '../../cloud/cloud.ts';
import { loadCloudConfig } from '../../cloud/config.ts';
import { connectInflux, type InfluxConnection } from '../../cloud/storage/influx.ts';
import type { FleetFile } from '../../shared/fleet.ts';
import { tempDir } from './temp-dir.ts';

export const silentLog = pino({ level: 'silent' });

export interface TestCloud {
  cloud: Cloud;
  influx: InfluxConnection;
  mqttUrl: string;
  apiUrl: string;
  dataDir: string;
  /** Provisions a gateway and returns its secret. */
  provision(gatewayId: string): Promise<string>;
  /** Stops the cloud and starts a new one on the same data directory and ports (running `whileStopped` between). */
  restart(whileStopped?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

let databases = 0;

/**
 * The real cloud (aedes on a random loopback port, express on another) writing to `influxUrl`, in a
 * database of its own, with its data directory in a temp folder.
 */
export async function startTestCloud(
  influxUrl: string,
  fleet?: FleetFile,
  env: Record<string, string> = {},
  /** An injected clock, for tests that drive time (rules, timers). */
  now?: () => Date,
  /** Where the cloud logs (a test that looks for an event in the logs); silent by default. */
  log: Logger = silentLog,
) {
  const dir = await tempDir('cloud');
  const fleetDir = join(dir.path, 'fleet');
  await mkdir(fleetDir);
  if (fleet) await writeFile(join(fleetDir, 'fleet.json'), JSON.stringify(fleet));
  const config = loadCloudConfig({
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    DATA_DIR: join(dir.path, 'data'),
    FLEET_DIR: fleetDir,
    INFLUX_URL: influxUrl,
    INFLUX_DATABASE: `test_${process.pid}_${databases++}`,
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: testAdminToken,
    ...env,
  });
  const influx = await connectInflux({
    url: influxUrl,
    token: '',
    database: config.INFLUX_DATABASE,
    org: config.INFLUX_ORG,
  });
  const clock = now && { now, speed: 1 };
  const cloud = new Cloud({ config, log, influx, clock });
  await cloud.start();
  const result: TestCloud = {
    cloud,
    restart: async (whileStopped?: () => Promise<void>) => {
      const ports = { MQTT_PORT: result.cloud.mqttPort, HTTP_PORT: result.cloud.httpPort };
      await result.cloud.stop();
      await whileStopped?.();
      result.cloud = new Cloud({ config: { ...config, ...ports }, log, influx, clock });
      await result.cloud.start();
    },
    influx,
    mqttUrl: `mqtt://127.0.0.1:${cloud.mqttPort}`,
    apiUrl: `http://127.0.0.1:${cloud.httpPort}`,
    dataDir: config.DATA_DIR,
    provision: (gatewayId) => issueCredential(config.CREDENTIALS_FILE, gatewayId),
    stop: async () => {
      await cloud.stop();
      await dir.remove();
    },
  };
  return result;
}

/** The admin API token every test cloud is started with (ADMIN_TOKEN bootstrap). */
export const testAdminToken = 'test-admin-token-0123456789abcdef';

/** fetch with the test admin token (unless the caller sets its own Authorization). */
export function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${testAdminToken}`);
  return fetch(url, { ...init, headers });
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
): Promise<{ status: number; body: T }> {
  const res = await apiFetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

/** Number of points in a measurement (counted on a field every point of that measurement has). */
export async function countPoints(
  influx: InfluxConnection,
  measurement: string,
  field: string,
): Promise<number> {
  const [series] = await influx.select(`SELECT COUNT("${field}") FROM "${measurement}"`);
  return Number(series?.values[0]?.[1] ?? 0);
}
