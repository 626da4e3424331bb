import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { issueCredentials } from '../cloud/broker/credentials.ts';
import type { DriverHealth } from '../shared/driver.ts';
import type { FleetFile } from '../shared/fleet.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { onCleanup } from './cleanup.ts';
import { startEdgePeers } from './edge-peers.ts';
import type { BenchOptions } from './options.ts';
import type { Platform } from './platform.ts';
import { readProc, watchProc } from './proc.ts';
import { int, mb, say, sleep, until } from './util.ts';

/**
 * An edge agent process started as in production: `npm run build`, then the command of the `edge`
 * script in package.json (`node --lite-mode dist/scripts/simulated-gateway.js`, the command of the edge services in
 * docker-compose.yml), with `devices` devices on one gateway, reporting every
 * `reportingIntervalS` to the cloud under test. With `drivers: 'all'` every driver the agent has
 * reads some of them, each against its test peer (bench/edge-peers.ts); with `simulated`, the
 * simulated driver reads them all. Measured from /proc: peak RSS (VmHWM) and CPU; the drivers'
 * health from the gateway's last heartbeat (the cloud's API, as `token`). Its
 * device ids are prefixed so they cannot clash with the registered fleet; `edgeFleet` provisions them
 * in the cloud (owned by this gateway).
 */
export interface EdgeOptions {
  dir: string;
  devices: number;
  drivers: 'all' | 'simulated';
  /** An admin token of the cloud's API. */
  token: string;
  durationS: number;
  reportingIntervalS: number;
  /** Extra environment of the agent process (NODE_OPTIONS for profiling). */
  env?: Record<string, string>;
}

const gatewayId = 'gw-bench-edge';

/** Compiles the agent and returns the node arguments of `npm run edge` (package.json). */
async function buildAgent(): Promise<string[]> {
  say('edge agent: npm run build');
  await promisify(execFile)('npm', ['run', 'build']).catch((error: Error & { stdout?: string }) => {
    throw new Error(`npm run build failed: ${error.message}${error.stdout ?? ''}`);
  });
  const script: string = JSON.parse(await readFile('package.json', 'utf8')).scripts.edge;
  const [command, ...args] = script.split(/\s+/);
  if (command !== 'node') throw new Error(`package.json scripts.edge must start with node: ${script}`);
  return args;
}

/** The edge agent's gateway and its `devices` simulated devices: its fleet file, and the cloud's. */
export function edgeFleet(devices: number): FleetFile {
  const generated = generateFleet({ seed: 7, devices, devicesPerGateway: devices });
  return {
    ...generated,
    gateways: generated.gateways.map((g) => ({ ...g, id: gatewayId })),
    devices: generated.devices.map((d) => ({ ...d, id: `edge-${d.id}`, gatewayId })),
  };
}

/** The edge phase's options from the flags; `env`, the agent's extra environment. */
export function edgeOptions(
  options: BenchOptions,
  dir: string,
  token: string,
  env: Record<string, string>,
): EdgeOptions {
  const { edgeDevices: devices, edgeDurationS: durationS, edgeDrivers: drivers } = options;
  return { dir, devices, durationS, drivers, token, reportingIntervalS: 1, env };
}

export async function edgePhase(platform: Platform, options: EdgeOptions) {
  const dir = join(options.dir, 'edge');
  await mkdir(dir, { recursive: true });
  const fleet = edgeFleet(options.devices);
  const fleetFile = join(dir, 'fleet.json');
  await writeFile(fleetFile, JSON.stringify(fleet));
  const peers =
    options.drivers === 'all' ? await startEdgePeers(join(dir, 'peers'), fleet.devices) : undefined;
  const secret = (await issueCredentials(platform.credentialsFile, [gatewayId])).get(gatewayId) as string;
  const configFile = join(dir, 'gateway.json');
  await writeFile(
    configFile,
    JSON.stringify({
      gatewayId,
      mqtt: { url: platform.mqttUrl, password: 'given-in-EDGE_GATEWAY_SECRET' },
      fleetFile,
      dataDir: join(dir, 'data'),
      reportingIntervalS: options.reportingIntervalS,
      heartbeatIntervalS: 5,
      drivers: peers?.drivers ?? [{ type: 'simulated' }],
    }),
  );
  const accepted = async () =>
    (await platform.health().catch(() => undefined))?.counters.readings_accepted ?? 0;
  const args = await buildAgent();
  const before = await accepted();
  const agent: ChildProcess = spawn(process.execPath, args, {
    env: {
      ...process.env,
      EDGE_CONFIG: configFile,
      EDGE_GATEWAY_SECRET: secret,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const kill = () => agent.kill('SIGKILL');
  process.once('exit', kill);
  const stop = onCleanup('edge agent', async () => {
    process.off('exit', kill);
    if (agent.exitCode !== null || agent.signalCode !== null) return;
    const exited = new Promise((resolve) => agent.once('exit', resolve));
    agent.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000).then(kill)]);
  });
  const watch = watchProc(agent.pid);
  const cloud = watchProc(platform.pid);
  const started = performance.now();
  while (performance.now() - started < options.durationS * 1000) {
    await sleep(2_000);
    if (agent.exitCode !== null) throw new Error(`the edge agent exited with ${agent.exitCode}`);
    const received = (await accepted()) - before;
    const rss = readProc(agent.pid as number)?.rssBytes ?? Number.NaN;
    say(
      `edge agent: ${options.devices} devices, RSS ${mb(rss)}, ${int(received)} readings accepted by the cloud`,
    );
  }
  const usage = watch.stop();
  const cloudUsage = cloud.stop();
  const split = readProc(agent.pid as number);
  const received = (await accepted()) - before;
  // A short run (--quick) may end before a heartbeat carried every driver's health: wait for one.
  let drivers: DriverHealth[] = [];
  await until(async () => {
    drivers = await driverHealth(platform, options.token);
    return drivers.length === (peers?.drivers.length ?? 1) && drivers.every((d) => d.state === 'ok');
  }, 10_000);
  await stop();
  await peers?.stop();
  return {
    devices: options.devices,
    /** Devices per driver type, and each driver's health in the gateway's last heartbeat. */
    driverDevices: peers?.devices ?? { simulated: options.devices },
    drivers: drivers.map(({ driver, state, errors }) => ({ driver, state, errors })),
    reportingIntervalS: options.reportingIntervalS,
    durationS: options.durationS,
    peakRssBytes: usage.hwmBytes,
    /** At the end: anonymous (heaps) and file-backed (node binary, libraries) parts of the RSS. */
    rssAnonBytes: split?.rssAnonBytes ?? Number.NaN,
    rssFileBytes: split?.rssFileBytes ?? Number.NaN,
    cores: usage.cores,
    readingsAccepted: received,
    /** The cloud (with the registered fleet) meanwhile: its CPU under this light load. */
    cloudCores: cloudUsage.cores,
  };
}

/** The gateway's driver health as the cloud keeps it (from its last heartbeat). */
async function driverHealth(platform: Platform, token: string): Promise<DriverHealth[]> {
  const res = await fetch(`${platform.apiUrl}/api/v1/gateways/${gatewayId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`GET the bench gateway: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { health?: { drivers?: DriverHealth[] } };
  return body.health?.drivers ?? [];
}

export type EdgeResult = Awaited<ReturnType<typeof edgePhase>>;
