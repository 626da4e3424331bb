import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import type { EdgeAgent } from '../../edge/agent.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, getJson, silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const fleet = generateFleet({ seed: 31, devices: 40, devicesPerGateway: 20 });
const [gatewayA, gatewayB] = fleet.gateways.map((g) => g.id) as [string, string];
const lampA = fleet.devices.find((d) => d.gatewayId === gatewayA && d.kind === 'streetlight');
const lampB = fleet.devices.find((d) => d.gatewayId === gatewayB && d.kind === 'streetlight');

let influxd: LocalInfluxd;
let cloud: TestCloud;
let dir: Awaited<ReturnType<typeof tempDir>>;
let city: Awaited<ReturnType<typeof streamingCity>>;

interface Command {
  id: string;
  status: string;
  detail?: string;
  deliveredAt?: string;
}

async function post(path: string, body: unknown) {
  const res = await apiFetch(`${cloud.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const commandStatus = async (id: string) =>
  (await getJson<Command>(`${cloud.apiUrl}/api/v1/commands/${id}`)).body;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet);
  dir = await tempDir('commands');
  const secrets = new Map<string, string>();
  for (const g of fleet.gateways) secrets.set(g.id, await cloud.provision(g.id));
  city = await streamingCity({
    log: silentLog,
    fleet,
    mqttUrl: cloud.mqttUrl,
    dataDir: join(dir.path, 'edge'),
    secrets,
  });
});

afterAll(async () => {
  await city?.stop();
  await cloud?.stop();
  await influxd?.stop();
  await dir?.remove();
});

describe('commands to devices', () => {
  it('switches a lamp on and dims it: each command is delivered, succeeds, and the lamp obeys', async () => {
    if (!lampA) throw new Error('no lamp');
    const latest = async () => {
      await city.pollAll();
      await city.drained();
      await cloud.cloud.flush();
      const { body } = await getJson<{
        latest: { activePower: number; dimmingLevel: number; powerState: string };
      }>(`${cloud.apiUrl}/api/v1/devices/${lampA.id}`);
      return body.latest;
    };
    const run = async (command: object) => {
      const sent = await post(`/api/v1/devices/${lampA.id}/commands`, { command });
      expect(sent.status).toBe(202);
      return waitFor(`${JSON.stringify(command)} to succeed`, async () => {
        const c = await commandStatus(sent.body.id as string);
        return c.status === 'succeeded' ? c : undefined;
      });
    };
    const on = await run({ action: 'switch', on: true });
    expect(on.deliveredAt).toBeDefined();
    const full = await latest();
    expect(full).toMatchObject({ powerState: 'on', dimmingLevel: 100 });
    await run({ action: 'setDimming', level: 20 });
    const dimmed = await latest();
    expect(dimmed).toMatchObject({ powerState: 'low', dimmingLevel: 20 });
    expect(dimmed.activePower).toBeLessThan(full.activePower * 0.5);
  });

  it('sends one command per device of a group and tracks each', async () => {
    const district = fleet.gateways[1]?.district as string;
    const lamps = fleet.devices.filter((d) => d.kind === 'streetlight' && d.district === district);
    const sent = await post('/api/v1/commands', {
      target: { kind: 'streetlight', district },
      command: { action: 'switch', on: false },
    });
    expect(sent.status).toBe(202);
    expect(sent.body.count).toBe(lamps.length);
    const ids = (sent.body.items as Command[]).map((c) => c.id);
    await waitFor('every command of the group to succeed', async () => {
      const states = await Promise.all(ids.map(commandStatus));
      return states.every((c) => c.status === 'succeeded');
    });
  });

  it('refuses a command the device kind does not have, naming the field', async () => {
    const res = await post(`/api/v1/devices/${lampA?.id}/commands`, { command: { action: 'reboot' } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.errors)).toContain('body.command');
  });

  it('holds commands for an offline gateway and delivers them when it is back, even across a cloud restart', async () => {
    if (!lampB) throw new Error('no lamp');
    const agent = city.agents.get(gatewayB) as EdgeAgent;
    agent.cutConnection(4_000);
    await waitFor('gateway B offline', () => !agent.connected);
    const waiting = await post(`/api/v1/devices/${lampB.id}/commands`, {
      command: { action: 'returnToSchedule' },
    });
    const expiring = await post(`/api/v1/devices/${lampB.id}/commands`, {
      command: { action: 'switch', on: true },
      ttlS: 1,
    });
    expect((await commandStatus(waiting.body.id as string)).status).toBe('pending');
    await waitFor(
      'the short command to expire',
      async () => (await commandStatus(expiring.body.id as string)).status === 'expired',
    );
    await cloud.restart();
    expect((await commandStatus(waiting.body.id as string)).status).toBe('pending');
    await waitFor('gateway B back', () => agent.connected, 30_000);
    await waitFor(
      'the held command to succeed',
      async () => (await commandStatus(waiting.body.id as string)).status === 'succeeded',
    );
    expect((await commandStatus(expiring.body.id as string)).status).toBe('expired');
  });
});

describe('remote configuration', () => {
  it('pushes a new reporting interval and deadband; the gateway applies and confirms the version', async () => {
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/gateways/${gatewayA}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reportingIntervalS: 120, deadband: { activePower: 2 }, maxSilenceS: 600 }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { desired: { version: number } }).desired.version).toBe(1);
    const agent = city.agents.get(gatewayA) as EdgeAgent;
    await waitFor('the gateway to apply version 1', () => agent.configVersion === 1);
    await waitFor('the confirmation in the registry', async () => {
      const { body } = await getJson<{ reported: { version: number; status: string } | null }>(
        `${cloud.apiUrl}/api/v1/gateways/${gatewayA}/config`,
      );
      return body.reported?.version === 1 && body.reported.status === 'applied';
    });
  });

  it('refuses an invalid configuration with the field path', async () => {
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/gateways/${gatewayA}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reportingIntervalS: 0 }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('body.reportingIntervalS');
  });
});
