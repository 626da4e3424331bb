import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { waitFor } from '../helpers/wait.ts';

/** GET /api/v1/devices/{id}/events: a device's stored events, read back from a real influxd. */
const fleet = generateFleet({ seed: 17, devices: 20, devicesPerGateway: 20 });
const gateway = fleet.gateways[0]?.id as string;
const lamps = fleet.devices.filter((d) => d.kind === 'streetlight');
const lamp = lamps[0]?.id as string;
const otherLamp = lamps[1]?.id as string;
const camera = fleet.devices.find((d) => d.kind === 'camera')?.id as string;
let influxd: LocalInfluxd;
let cloud: TestCloud;
let client: MqttClient;

interface Events {
  deviceId: string;
  from: string;
  to: string;
  items: { ts: string; type: string; values?: Record<string, unknown> }[];
}

const start = Date.now() - 3_600_000;
const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
const sent = [
  { deviceId: lamp, kind: 'streetlight', type: 'switchedOn', ts: at(1), values: { switchedBy: 'schedule' } },
  { deviceId: lamp, kind: 'streetlight', type: 'lampFault', ts: at(2) },
  { deviceId: otherLamp, kind: 'streetlight', type: 'columnIssue', ts: at(3) },
  { deviceId: lamp, kind: 'streetlight', type: 'switchedOff', ts: at(4), values: { switchedBy: 'operator' } },
  { deviceId: camera, kind: 'camera', type: 'tamper', ts: at(5) },
];

const events = (id: string, query = '') =>
  getJson<Events>(`${cloud.apiUrl}/api/v1/devices/${id}/events${query}`);

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet);
  const secret = await cloud.provision(gateway);
  client = await connectAsync(cloud.mqttUrl, {
    clientId: gateway,
    username: gateway,
    password: secret,
    reconnectPeriod: 0,
  });
  await client.publishAsync(
    gatewayTopic(gateway, 'events'),
    JSON.stringify({
      v: 1,
      gatewayId: gateway,
      sentAt: new Date().toISOString(),
      batchId: 'e1',
      events: sent,
    }),
    { qos: 1 },
  );
  await waitFor('the events stored', async () => {
    await cloud.cloud.flush();
    return (await events(lamp)).body.items?.length === 3 && (await events(camera)).body.items?.length === 1;
  });
});

afterAll(async () => {
  await client?.endAsync();
  await cloud?.stop();
  await influxd?.stop();
});

describe('a device’s events', () => {
  it('are its own, newest first, with the values the kind declares', async () => {
    const { status, body } = await events(lamp);
    expect(status).toBe(200);
    expect(body.deviceId).toBe(lamp);
    expect(body.items).toEqual([
      { ts: at(4), type: 'switchedOff', values: { switchedBy: 'operator' } },
      { ts: at(2), type: 'lampFault' },
      { ts: at(1), type: 'switchedOn', values: { switchedBy: 'schedule' } },
    ]);
  });

  it('of a kind whose events carry no values are their types', async () => {
    expect((await events(camera)).body.items).toEqual([{ ts: at(5), type: 'tamper' }]);
  });

  it('are bounded by the limit and the time range', async () => {
    expect((await events(lamp, '?limit=2')).body.items.map((e) => e.type)).toEqual([
      'switchedOff',
      'lampFault',
    ]);
    const { body } = await events(lamp, `?from=${at(1.5)}&to=${at(4)}`);
    expect(body).toMatchObject({ from: at(1.5), to: at(4) });
    expect(body.items.map((e) => e.type)).toEqual(['lampFault']);
  });

  it('default to the last 30 days up to now', async () => {
    const before = Date.now();
    const { body } = await events(lamp);
    const after = Date.now();
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(30 * 86_400_000);
    expect(Date.parse(body.to)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(body.to)).toBeLessThanOrEqual(after);
  });

  it.each([
    ['?limit=0', 'query.limit'],
    ['?limit=501', 'query.limit'],
    ['?limit=ten', 'query.limit'],
    ['?from=yesterday', 'query.from'],
    [`?from=${at(4)}&to=${at(1)}`, 'query.from'],
    ['?type=lampFault', 'query'],
  ])('answer %s with problem+json naming %s', async (query, path) => {
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/devices/${lamp}/events${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const body = (await res.json()) as { errors: { path: string }[] };
    expect(body.errors.map((e) => e.path)).toContain(path);
  });

  it('of a device not registered are a 404', async () => {
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/devices/lamp-999999/events`);
    expect(res.status).toBe(404);
  });
});
