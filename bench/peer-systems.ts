import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueCredentials } from '../cloud/broker/credentials.ts';
import type { InfluxConnection } from '../cloud/storage/influx.ts';
import { freePort, startLocalInfluxd } from '../cloud/storage/local-influxd.ts';
import { cloudProcessEnv, startCloudProcess } from '../scripts/cloud-process.ts';
import type { FleetFile } from '../shared/fleet.ts';
import { onCleanup } from './cleanup.ts';
import { startMosquitto } from './mosquitto.ts';
import { startNodeRed } from './node-red.ts';
import type { Health } from './platform.ts';
import { sleep } from './util.ts';

/**
 * The three systems issue 18 compares, each started on the bench's one InfluxDB with a database of
 * its own: our platform (the cloud process, embedded default), the peer (Mosquitto → Node-RED →
 * InfluxDB) and the naive bridge (Mosquitto → mqtt.js → WriteApi). Each says which processes are
 * the system under test (their CPU is its cost), and whether it still holds readings it accepted.
 */
export interface SystemUnderTest {
  name: 'platform' | 'peer' | 'bridge';
  mqttUrl: string;
  parts: { name: string; pid: number }[];
  database: string;
  /** True while the system holds accepted readings not yet written (only the platform can say). */
  pending(): Promise<boolean>;
  /** Errors the system logged (Node-RED's failed writes), where it counts them. */
  errors(): number;
  settings: object;
  stop(): Promise<void>;
}

/** An influxd that can be stopped for a while and started again on the same port and data. */
export async function restartableInfluxd(dir: string) {
  let local = await startLocalInfluxd(dir);
  const httpPort = Number(new URL(local.url).port);
  const stop = onCleanup('influxd (peer section)', () => local.stop());
  return {
    url: local.url,
    httpPort,
    /** The running influxd's pid (a new one after an outage). */
    pid: () => local.pid,
    /**
     * Stops influxd, waits `ms`, starts it again where its clients expect it; resolves to the seconds
     * from the stop until it answered again (stopping and starting add to `ms` on a loaded machine).
     */
    async outage(ms: number): Promise<number> {
      const started = performance.now();
      await local.stop();
      await sleep(ms);
      // Replaying a large WAL on a loaded machine takes longer than influxd's usual start.
      local = await startLocalInfluxd(dir, { httpPort, timeoutMs: 120_000 });
      return (performance.now() - started) / 1000;
    },
    stop,
  };
}

export async function startPlatformSystem(opts: {
  dir: string;
  fleets: FleetFile[];
  influxUrl: string;
}): Promise<{ system: SystemUnderTest; secrets: Map<string, string> }> {
  const fleetDir = join(opts.dir, 'fleet');
  await mkdir(fleetDir, { recursive: true });
  for (const [i, fleet] of opts.fleets.entries())
    await writeFile(join(fleetDir, `fleet-${i}.json`), JSON.stringify(fleet));
  const credentials = join(opts.dir, 'credentials', 'gateway-credentials.json');
  const secrets = await issueCredentials(
    credentials,
    opts.fleets.flatMap((f) => f.gateways.map((g) => g.id)),
  );
  const mqttPort = await freePort();
  const database = 'bench_platform';
  const env = {
    FLEET_DIR: fleetDir,
    CREDENTIALS_FILE: credentials,
    INFLUX_URL: opts.influxUrl,
    INFLUX_DATABASE: database,
    DATA_DIR: join(opts.dir, 'cloud'),
    MQTT_HOST: '127.0.0.1',
    HTTP_HOST: '127.0.0.1',
    MQTT_PORT: String(mqttPort),
    HTTP_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
  const cloud = await startCloudProcess(env);
  const stop = onCleanup('cloud (peer section)', async () => {
    if (cloud.child.exitCode !== null || cloud.child.signalCode !== null) return;
    cloud.child.kill('SIGTERM');
    await Promise.race([cloud.exited, sleep(10_000).then(() => cloud.child.kill('SIGKILL'))]);
  });
  const system: SystemUnderTest = {
    name: 'platform',
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    parts: [{ name: 'cloud', pid: cloud.child.pid as number }],
    database,
    async pending() {
      const res = await fetch(`${cloud.apiUrl}/health`, { signal: AbortSignal.timeout(15_000) }).catch(
        () => undefined,
      );
      if (!res) return true;
      return ((await res.json()) as Health).journal.lines > 0;
    },
    errors: () => 0,
    settings: {
      command: 'node cloud/main.ts',
      env: { ...cloudProcessEnv, ...env, DATA_DIR: '<temp>', FLEET_DIR: '<temp>' },
    },
    stop,
  };
  return { system, secrets };
}

export async function startPeerSystem(opts: { dir: string; influxPort: number }): Promise<SystemUnderTest> {
  await mkdir(opts.dir, { recursive: true });
  const mosquitto = await startMosquitto(opts.dir);
  const database = 'bench_peer';
  const nodeRed = await startNodeRed({
    dir: opts.dir,
    mqttPort: Number(new URL(mosquitto.url).port),
    influxPort: opts.influxPort,
    database,
  });
  return {
    name: 'peer',
    mqttUrl: mosquitto.url,
    parts: [
      { name: 'node-red', pid: nodeRed.pid },
      { name: 'mosquitto', pid: mosquitto.pid },
    ],
    database,
    pending: async () => false,
    errors: () => nodeRed.log.errors,
    settings: nodeRed.settings,
    async stop() {
      await nodeRed.stop();
      await mosquitto.stop();
    },
  };
}

const bridgePath = fileURLToPath(new URL('./naive-bridge.ts', import.meta.url));

export async function startBridgeSystem(opts: {
  dir: string;
  influx: InfluxConnection;
}): Promise<SystemUnderTest> {
  await mkdir(opts.dir, { recursive: true });
  const mosquitto = await startMosquitto(opts.dir);
  const database = 'bench_bridge';
  const child = spawn(process.execPath, [bridgePath, mosquitto.url, opts.influx.settings.url, database], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = 0;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    errors += text.match(/error/gi)?.length ?? 0;
    output = (output + text).slice(-3_000);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const stopBridge = onCleanup('naive bridge', async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
  });
  const deadline = Date.now() + 30_000;
  while (!output.includes('ready')) {
    if (child.exitCode !== null) throw new Error(`the naive bridge exited with ${child.exitCode}: ${output}`);
    if (Date.now() > deadline) throw new Error(`the naive bridge was not ready within 30 s: ${output}`);
    await sleep(50);
  }
  return {
    name: 'bridge',
    mqttUrl: mosquitto.url,
    parts: [
      { name: 'bridge', pid: child.pid as number },
      { name: 'mosquitto', pid: mosquitto.pid },
    ],
    database,
    pending: async () => false,
    errors: () => errors,
    settings: {
      command: `node bench/naive-bridge.ts ${mosquitto.url} ${opts.influx.settings.url} ${database}`,
      writeApi:
        '@influxdata/influxdb-client 1.35 defaults (batchSize 1000, maxRetries 5, minRetryDelay 5 s, maxBufferLines 32000) but flushInterval 1000 ms',
    },
    async stop() {
      await stopBridge();
      await mosquitto.stop();
    },
  };
}
