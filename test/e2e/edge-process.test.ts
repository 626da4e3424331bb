import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);
const fleet = generateFleet({ seed: 5, devices: 12, devicesPerGateway: 12 });
const gateway = fleet.gateways[0]?.id as string;

let influxd: LocalInfluxd;
let city: TestCloud;
let dir: Awaited<ReturnType<typeof tempDir>>;
let agent: ChildProcess | undefined;
/** The node arguments of `npm run edge` (package.json): the compiled agent, as deployed. */
let edgeArgs: string[];

beforeAll(async () => {
  influxd = await startTestInfluxd();
  city = await startTestCloud(influxd.url, fleet);
  dir = await tempDir('edge');
  await run('npm', ['run', 'build']);
  const script: string = JSON.parse(await readFile('package.json', 'utf8')).scripts.edge;
  edgeArgs = script.split(/\s+/).slice(1);
  await writeFile(join(dir.path, 'fleet.json'), JSON.stringify(fleet));
});

afterAll(async () => {
  agent?.kill('SIGKILL');
  await city?.stop();
  await influxd?.stop();
  await dir?.remove();
});

async function writeConfig(name: string, config: object): Promise<string> {
  const path = join(dir.path, name);
  await writeFile(path, JSON.stringify(config));
  return path;
}

describe('the edge agent as a process (npm run edge)', () => {
  it('stops with a message naming the bad field', async () => {
    const path = await writeConfig('bad.json', {
      gatewayId: gateway,
      mqtt: { url: city.mqttUrl, password: 'x' },
      fleetFile: join(dir.path, 'fleet.json'),
      batch: { maxReadings: 5000 },
      drivers: [{ type: 'simulated' }],
    });
    const failure = await run(process.execPath, edgeArgs, {
      env: { ...process.env, EDGE_CONFIG: path },
    }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toContain('batch.maxReadings');
  });

  it('dist/edge/main.js, the agent without the simulators, refuses a simulated driver and names it', async () => {
    const path = await writeConfig('simulated.json', {
      gatewayId: gateway,
      mqtt: { url: city.mqttUrl, password: 'x' },
      fleetFile: join(dir.path, 'fleet.json'),
      dataDir: join(dir.path, 'edge-main-data'),
      drivers: [{ type: 'simulated' }],
    });
    const failure = await run(process.execPath, ['--lite-mode', 'dist/edge/main.js'], {
      env: { ...process.env, EDGE_CONFIG: path },
    }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toContain('drivers[0] (simulated): this agent has no driver of that type');
  });

  it('publishes its devices readings with the secret from the environment, and goes offline on SIGTERM', async () => {
    const path = await writeConfig('good.json', {
      gatewayId: gateway,
      mqtt: { url: city.mqttUrl, password: 'placeholder-overridden-by-env' },
      fleetFile: join(dir.path, 'fleet.json'),
      dataDir: join(dir.path, 'edge-data'),
      reportingIntervalS: 0.2,
      heartbeatIntervalS: 1,
      drivers: [{ type: 'simulated' }],
    });
    agent = spawn(process.execPath, edgeArgs, {
      env: {
        ...process.env,
        EDGE_CONFIG: path,
        EDGE_GATEWAY_SECRET: await city.provision(gateway),
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    await waitFor('every device of the gateway to be online', async () => {
      const { body } = await getJson<{ total: number }>(
        `${city.apiUrl}/api/v1/devices?status=online&gateway=${gateway}`,
      );
      return body.total === 12;
    });
    await waitFor('a heartbeat', async () => {
      const { body } = await getJson<{
        items: { id: string; state: string; health?: { deviceCount: number } }[];
      }>(`${city.apiUrl}/api/v1/gateways`);
      const g = body.items.find((item) => item.id === gateway);
      return g?.state === 'online' && g.health?.deviceCount === 12;
    });
    const exited = new Promise<number | null>((resolve) => agent?.once('exit', resolve));
    agent.kill('SIGTERM');
    expect(await exited).toBe(0);
    const { body } = await getJson<{ items: { id: string; state: string }[] }>(
      `${city.apiUrl}/api/v1/gateways`,
    );
    expect(body.items.find((g) => g.id === gateway)?.state).toBe('offline');
  });

  it("dist/edge/main.js reads LoRaWAN devices through ChirpStack, a city's codec in its sandbox process (the agent runs with --lite-mode, which has no WebAssembly)", async () => {
    const user = { name: 'city-edge', password: 'chirpstack-secret' };
    const broker = await startMosquitto(dir.path, user);
    const bin = fleet.devices.find((d) => d.kind === 'wasteBin' && d.gatewayId === gateway);
    if (!bin) throw new Error('no waste bin in the fleet');
    const app = 'b9a3e1f0-0000-4000-8000-000000000001';
    const eui = '70b3d5e75e00c001';
    await writeFile(
      join(dir.path, 'bin.js'),
      'function decodeUplink(i) { return { data: { metrics: { fillingLevel: i.bytes[0] } } }; }',
    );
    await writeConfig('devices.json', {
      models: { 'city-bin': { kind: 'wasteBin', codecFile: 'bin.js' } },
      devices: [{ devEui: eui, deviceId: bin.id, model: 'city-bin' }],
    });
    const path = await writeConfig('lorawan.json', {
      gatewayId: gateway,
      mqtt: { url: city.mqttUrl, password: await city.provision(gateway) },
      fleetFile: join(dir.path, 'fleet.json'),
      dataDir: join(dir.path, 'lorawan-data'),
      reportingIntervalS: 0.2,
      drivers: [
        {
          type: 'chirpstack',
          mqtt: { url: broker.url, username: user.name, password: user.password },
          applicationId: app,
          deviceTable: join(dir.path, 'devices.json'),
        },
      ],
    });
    const lorawan = spawn(process.execPath, ['--lite-mode', 'dist/edge/main.js'], {
      env: { ...process.env, EDGE_CONFIG: path, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    try {
      const uplink = JSON.stringify({
        deduplicationId: 'e2e-0001',
        time: new Date().toISOString(),
        deviceInfo: { applicationId: app, devEui: eui },
        fPort: 1,
        data: Buffer.from([73]).toString('base64'),
      });
      const topic = `application/${app}/device/${eui}/event/up`;
      // Published until the agent's persistent session is there to receive it (then once more is a duplicate).
      await waitFor(`${bin.id} filled to 73 %`, async () => {
        await run('mosquitto_pub', [
          '-h',
          '127.0.0.1',
          '-p',
          new URL(broker.url).port,
          '-u',
          user.name,
          '-P',
          user.password,
          '-q',
          '1',
          '-t',
          topic,
          '-m',
          uplink,
        ]);
        const { body } = await getJson<{ latest?: { fillingLevel?: number } }>(
          `${city.apiUrl}/api/v1/devices/${bin.id}`,
        );
        return body.latest?.fillingLevel === 73;
      });
    } finally {
      const exited = new Promise((resolve) => lorawan.once('exit', resolve));
      lorawan.kill('SIGTERM');
      await exited;
      await broker.stop();
    }
  });
});
