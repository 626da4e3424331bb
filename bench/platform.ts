import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueCredentials } from '../cloud/broker/credentials.ts';
import { freePort } from '../cloud/storage/local-influxd.ts';
import { startCloudProcess } from '../scripts/cloud-process.ts';
import type { FleetFile } from '../shared/fleet.ts';
import { onCleanup } from './cleanup.ts';
import { type BenchInfluxd, startInfluxd } from './influx.ts';
import { readProc } from './proc.ts';
import { sleep } from './util.ts';

export interface Health {
  journal: { lines: number };
  devices: number;
  counters: Record<string, number>;
}

/**
 * The platform under test: a private influxd and the cloud as its own process (`node cloud/main.ts`,
 * as in production: default batch sizes, journal and log level), with `fleets` in its FLEET_DIR (the
 * registered devices: every device the load, the prober and the edge agent send) and credentials for the gateways the load generator will connect as.
 */
export async function startPlatform(
  dir: string,
  fleets: FleetFile[],
  gatewayIds: string[],
  extraEnv: Record<string, string> = {},
) {
  const influxd: BenchInfluxd = await startInfluxd(join(dir, 'influxdb'), 'bench');
  const fleetDir = join(dir, 'fleet');
  await mkdir(fleetDir, { recursive: true });
  for (const [i, fleet] of fleets.entries())
    await writeFile(join(fleetDir, `fleet-${i}.json`), JSON.stringify(fleet));
  // 30 s, and 0.3 s more per 1,000 registered devices (a region of 1,000,000 may take minutes before its fixes).
  const devices = fleets.reduce((sum, fleet) => sum + fleet.devices.length, 0);
  const startTimeoutMs = Math.max(30_000, devices * 0.3);
  const credentials = join(dir, 'cloud', 'gateway-credentials.json');
  const secrets = await issueCredentials(credentials, gatewayIds);
  const env = {
    MQTT_PORT: String(await freePort()),
    MQTT_HOST: '127.0.0.1',
    HTTP_PORT: String(await freePort()),
    HTTP_HOST: '127.0.0.1',
    DATA_DIR: join(dir, 'cloud'),
    FLEET_DIR: fleetDir,
    CREDENTIALS_FILE: credentials,
    INFLUX_URL: influxd.url,
    INFLUX_DATABASE: 'bench',
    LOG_LEVEL: 'info',
    ...extraEnv,
  };
  /** Starts the cloud process on `dataDir`; the platform's figures then refer to this process. */
  const startCloud = async (dataDir: string) => {
    const started = performance.now();
    const cloud = await startCloudProcess({ ...env, DATA_DIR: dataDir }, startTimeoutMs);
    const startupS = (performance.now() - started) / 1000;
    const kill = () => cloud.child.kill('SIGKILL');
    process.once('exit', kill);
    const stop = onCleanup('cloud', async () => {
      process.off('exit', kill);
      if (cloud.child.exitCode !== null || cloud.child.signalCode !== null) return;
      cloud.child.kill('SIGTERM');
      await Promise.race([cloud.exited, sleep(10_000).then(kill)]);
    });
    return { pid: cloud.child.pid as number, apiUrl: cloud.apiUrl, startupS, stop };
  };
  let cloud = await startCloud(env.DATA_DIR);
  const platform = {
    influxd,
    influx: influxd.influx,
    mqttUrl: `mqtt://127.0.0.1:${env.MQTT_PORT}`,
    credentialsFile: credentials,
    secrets,
    get pid() {
      return cloud.pid;
    },
    /** The cloud's HTTP base URL. */
    get apiUrl() {
      return cloud.apiUrl;
    },
    get startupS() {
      return cloud.startupS;
    },
    async health(): Promise<Health> {
      // A cloud whose event loop is blocked answers late: the caller decides whether to wait again.
      const res = await fetch(`${cloud.apiUrl}/health`, { signal: AbortSignal.timeout(15_000) });
      return (await res.json()) as Health;
    },
    /** CPU seconds and memory of the cloud process so far. */
    proc: () => readProc(cloud.pid),
    /** Stops the cloud and starts a fresh one (same fleet, ports, InfluxDB) on an empty data directory. */
    async restartCloud(dataDir: string) {
      await cloud.stop();
      cloud = await startCloud(dataDir);
    },
    async stop() {
      await cloud.stop();
      await influxd.stop();
    },
  };
  return platform;
}

export type Platform = Awaited<ReturnType<typeof startPlatform>>;
