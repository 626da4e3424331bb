import { createHash } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../cloud/storage/influxql.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, countPoints, getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { withDevices } from '../helpers/fleet.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { waitFor } from '../helpers/wait.ts';

const generated = generateFleet({ seed: 3, devices: 40, devicesPerGateway: 20 });
const [gatewayA, gatewayB] = generated.gateways.map((g) => g.id) as [string, string];
// The devices the tests below report besides the generated ones: the cloud refuses devices it does not list.
const fleet = withDevices(generated, [
  { id: 'cam-good-1', kind: 'camera', gatewayId: gatewayA },
  { id: 'cam-good-2', kind: 'camera', gatewayId: gatewayA },
  { id: 'cam-bad', kind: 'camera', gatewayId: gatewayA },
  { id: 'bin-redelivered', kind: 'wasteBin', gatewayId: gatewayA },
  { id: 'lamp-after-garbage', kind: 'streetlight', gatewayId: gatewayA },
]);
const lampOfA = fleet.devices.find((d) => d.gatewayId === gatewayA && d.kind === 'streetlight');
const lampOfB = fleet.devices.find((d) => d.gatewayId === gatewayB && d.kind === 'streetlight');

let influxd: LocalInfluxd;
let city: TestCloud;
const secrets: Record<string, string> = {};
const clients: MqttClient[] = [];

async function connectGateway(gatewayId: string, password = secrets[gatewayId]) {
  const client = await connectAsync(city.mqttUrl, {
    clientId: gatewayId,
    username: gatewayId,
    password,
    reconnectPeriod: 0,
  });
  clients.push(client);
  return client;
}

function batch(gatewayId: string, readings: unknown[], extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    v: 1,
    gatewayId,
    sentAt: new Date().toISOString(),
    batchId: `b-${Math.random()}`,
    readings,
    ...extra,
  });
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

async function deadLetters(query = '') {
  return getJson<{
    total: number;
    items: {
      rejections: { reason: string; index?: number; message: string }[];
      size: number;
      sha256: string;
      shape: unknown;
      gatewayId: string;
    }[];
  }>(`${city.apiUrl}/api/v1/dead-letters?limit=1000${query}`);
}

beforeAll(async () => {
  influxd = await startTestInfluxd();
  city = await startTestCloud(influxd.url, fleet);
  for (const g of fleet.gateways) secrets[g.id] = await city.provision(g.id);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await city?.stop();
  await influxd?.stop();
});

describe('broker authentication and access control', () => {
  it('refuses a wrong password', async () => {
    await expect(connectGateway(gatewayA, 'wrong')).rejects.toThrow(/Bad username or password/i);
  });

  it('refuses a client id that differs from the gateway id', async () => {
    const attempt = connectAsync(city.mqttUrl, {
      clientId: 'someone-else',
      username: gatewayA,
      password: secrets[gatewayA],
      reconnectPeriod: 0,
    });
    await expect(attempt).rejects.toThrow(/Identifier rejected/i);
  });

  it('disconnects a gateway that publishes under another gateway prefix, and stores nothing', async () => {
    const client = await connectGateway(gatewayA);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(
      gatewayTopic(gatewayB, 'telemetry'),
      batch(gatewayB, [
        { deviceId: 'intruder-1', kind: 'streetlight', ts: minutesAgo(1), metrics: { activePower: 1 } },
      ]),
      { qos: 1 },
    );
    await closed;
    expect(city.cloud.counters.get('mqtt_publish_refused')).toBeGreaterThanOrEqual(1);
    const device = await getJson(`${city.apiUrl}/api/v1/devices/intruder-1`);
    expect(device.status).toBe(404);
  });

  it('refuses subscriptions to # and to other gateways, allows its own commands', async () => {
    const client = await connectGateway(gatewayA);
    for (const topic of ['#', 'city/v1/gateways/+/commands', gatewayTopic(gatewayB, 'commands')]) {
      await expect(client.subscribeAsync(topic, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    }
    const granted = await client.subscribeAsync(gatewayTopic(gatewayA, 'commands'), { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    expect(city.cloud.counters.get('mqtt_subscribe_refused')).toBe(3);
  });
});

describe('ingestion into InfluxDB', () => {
  it('stores every metric of a batch with its exact value, tags and device timestamp', async () => {
    if (!lampOfA) throw new Error('fleet has no lamp on gateway A');
    const client = await connectGateway(gatewayA);
    const ts = minutesAgo(5);
    const metrics = {
      powerState: 'low',
      dimmingLevel: 50,
      activePower: 31.25,
      energyConsumed: 1234.567,
      voltage: 229.9,
      current: 0.143,
      powerFactor: 0.95,
      status: 'ok',
      ambientLight: 0,
      operatingHours: 10_001.5,
    };
    await client.publishAsync(
      gatewayTopic(gatewayA, 'telemetry'),
      batch(gatewayA, [{ deviceId: lampOfA.id, kind: 'streetlight', ts, metrics }]),
      { qos: 1 },
    );
    const [row] = await waitFor('the reading in InfluxDB', async () => {
      await city.cloud.flush();
      const [series] = await city.influx.select(`SELECT * FROM streetlight WHERE device = '${lampOfA.id}'`);
      return series ? rows(series) : undefined;
    });
    expect(row).toEqual({
      time: Date.parse(ts),
      device: lampOfA.id,
      gateway: gatewayA,
      kind: 'streetlight',
      district: lampOfA.district,
      ...metrics,
    });
    const detail = await getJson<{ latest: Record<string, unknown>; status: string }>(
      `${city.apiUrl}/api/v1/devices/${lampOfA.id}`,
    );
    expect(detail.body.latest).toEqual(metrics);
    expect(detail.body.status).toBe('online');
  });

  it('keeps the good readings of a batch and dead-letters the bad one with its index', async () => {
    const client = await connectGateway(gatewayA);
    const good = (n: number) => ({
      deviceId: `cam-good-${n}`,
      kind: 'camera',
      ts: minutesAgo(2),
      metrics: { peopleCount: n, rsrp: -90 },
    });
    const bad = {
      deviceId: 'cam-bad',
      kind: 'camera',
      ts: minutesAgo(2),
      metrics: { peopleCount: -5, faceImage: 'x' },
    };
    await client.publishAsync(gatewayTopic(gatewayA, 'telemetry'), batch(gatewayA, [good(1), bad, good(2)]), {
      qos: 1,
    });
    await waitFor('both good camera readings', async () => {
      await city.cloud.flush();
      return (await countPoints(city.influx, 'camera', 'peopleCount')) === 2;
    });
    const letters = await deadLetters('&reason=invalid-reading');
    expect(letters.body.items).toHaveLength(1);
    expect(letters.body.items[0]).toMatchObject({
      gatewayId: gatewayA,
      rejections: [{ reason: 'invalid-reading', index: 1 }],
    });
    // Issue 13: the letter shows which keys the bad reading had, counts the one outside the contract, and no value.
    expect(JSON.stringify(letters.body.items[0]?.shape)).toContain(
      '{"object":{"peopleCount":"number"},"otherKeys":1}',
    );
    expect(letters.body.items[0]?.rejections[0]?.message).not.toContain('faceImage');
  });

  it('acknowledges a batch sent again (twice at once, then once more) without applying it again', async () => {
    const client = await connectGateway(gatewayA);
    const counters = city.cloud.counters;
    const before = {
      accepted: counters.get('readings_accepted'),
      duplicates: counters.get('duplicate_batches'),
    };
    const payload = batch(gatewayA, [
      { deviceId: 'bin-redelivered', kind: 'wasteBin', ts: minutesAgo(3), metrics: { fillingLevel: 41 } },
    ]);
    const topic = gatewayTopic(gatewayA, 'telemetry');
    await Promise.all([
      client.publishAsync(topic, payload, { qos: 1 }),
      client.publishAsync(topic, payload, { qos: 1 }),
    ]);
    await client.publishAsync(topic, payload, { qos: 1 });
    expect(counters.get('readings_accepted') - before.accepted).toBe(1);
    expect(counters.get('duplicate_batches') - before.duplicates).toBe(2);
    await city.cloud.flush();
    const [series] = await city.influx.select(
      `SELECT COUNT("fillingLevel") FROM "wasteBin" WHERE device = 'bin-redelivered'`,
    );
    expect(series?.values[0]?.[1]).toBe(1);
  });

  it('dead-letters a malformed payload and keeps the connection and the flow going', async () => {
    const client = await connectGateway(gatewayA);
    await client.publishAsync(gatewayTopic(gatewayA, 'telemetry'), '{"v":1, not json', { qos: 1 });
    await client.publishAsync(
      gatewayTopic(gatewayA, 'telemetry'),
      batch(gatewayA, [
        {
          deviceId: 'lamp-after-garbage',
          kind: 'streetlight',
          ts: minutesAgo(1),
          metrics: { activePower: 7 },
        },
      ]),
      { qos: 1 },
    );
    expect(client.connected).toBe(true);
    const letters = await deadLetters('&reason=invalid-json');
    // Issue 13: the letter keeps the payload's size, hash and shape instead of the payload.
    expect(letters.body.items[0]).toMatchObject({
      size: 16,
      sha256: createHash('sha256').update('{"v":1, not json').digest('hex'),
      shape: { format: 'invalid-json' },
    });
    expect(letters.body.items[0]).not.toHaveProperty('payload');
    const after = await getJson(`${city.apiUrl}/api/v1/devices/lamp-after-garbage`);
    expect(after.status).toBe(200);
  });

  it('rejects readings with timestamps far in the past or future, a claimed gateway id of another gateway, and a device owned by another gateway', async () => {
    if (!lampOfB) throw new Error('fleet has no lamp on gateway B');
    const client = await connectGateway(gatewayA);
    const reading = (deviceId: string, ts: string) => ({
      deviceId,
      kind: 'streetlight',
      ts,
      metrics: { activePower: 1 },
    });
    const topic = gatewayTopic(gatewayA, 'telemetry');
    await client.publishAsync(topic, batch(gatewayA, [reading('lamp-old', '2001-01-01T00:00:00Z')]), {
      qos: 1,
    });
    await client.publishAsync(topic, batch(gatewayA, [reading('lamp-future', '2099-01-01T00:00:00Z')]), {
      qos: 1,
    });
    await client.publishAsync(topic, batch(gatewayB, [reading('lamp-claimed', minutesAgo(1))]), { qos: 1 });
    await client.publishAsync(topic, batch(gatewayA, [reading(lampOfB.id, minutesAgo(1))]), { qos: 1 });
    const reasons = (await deadLetters()).body.items.flatMap((l) => l.rejections.map((r) => r.reason));
    expect(reasons.filter((r) => r === 'timestamp-out-of-range')).toHaveLength(2);
    expect(reasons).toContain('gateway-mismatch');
    expect(reasons).toContain('device-of-other-gateway');
    for (const id of ['lamp-old', 'lamp-future', 'lamp-claimed']) {
      expect((await getJson(`${city.apiUrl}/api/v1/devices/${id}`)).status).toBe(404);
    }
  });

  it('records gateway status and heartbeats', async () => {
    const client = await connectGateway(gatewayB);
    await client.publishAsync(
      gatewayTopic(gatewayB, 'status'),
      JSON.stringify({ v: 1, gatewayId: gatewayB, state: 'online', ts: new Date().toISOString() }),
      { qos: 1, retain: true },
    );
    await client.publishAsync(
      gatewayTopic(gatewayB, 'heartbeat'),
      JSON.stringify({
        v: 1,
        gatewayId: gatewayB,
        sentAt: new Date().toISOString(),
        uptime: 12,
        queueDepth: 3,
        droppedReadings: 0,
        deviceCount: 20,
        softwareVersion: '0.1.0',
        memoryRss: 50e6,
        configVersion: 0,
      }),
      { qos: 1 },
    );
    const gateways = await getJson<{
      items: { id: string; state: string; health?: { queueDepth: number } }[];
    }>(`${city.apiUrl}/api/v1/gateways`);
    expect(gateways.body.items.find((g) => g.id === gatewayB)).toMatchObject({
      state: 'online',
      health: { queueDepth: 3 },
    });
  });
});

describe('device API', () => {
  it('filters by kind, gateway and district, and pages', async () => {
    const expected = fleet.devices.filter((d) => d.kind === 'wasteBin' && d.gatewayId === gatewayB);
    const page1 = await getJson<{ total: number; items: { id: string }[] }>(
      `${city.apiUrl}/api/v1/devices?kind=wasteBin&gateway=${gatewayB}&limit=2`,
    );
    expect(page1.body.total).toBe(expected.length);
    expect(page1.body.items.map((d) => d.id)).toEqual(
      expected
        .map((d) => d.id)
        .sort()
        .slice(0, 2),
    );
    const page2 = await getJson<{ items: { id: string }[] }>(
      `${city.apiUrl}/api/v1/devices?kind=wasteBin&gateway=${gatewayB}&limit=2&offset=2`,
    );
    expect(page2.body.items.map((d) => d.id)).toEqual(
      expected
        .map((d) => d.id)
        .sort()
        .slice(2, 4),
    );
    const district = fleet.devices[0]?.district as string;
    const byDistrict = await getJson<{ total: number }>(
      `${city.apiUrl}/api/v1/devices?district=${district}&limit=1`,
    );
    expect(byDistrict.body.total).toBe(fleet.devices.filter((d) => d.district === district).length);
  });

  it('filters by online status', async () => {
    const online = await getJson<{ items: { id: string; status: string }[] }>(
      `${city.apiUrl}/api/v1/devices?status=online&limit=1000`,
    );
    expect(online.body.items.length).toBeGreaterThan(0);
    expect(online.body.items.every((d) => d.status === 'online')).toBe(true);
    expect(online.body.items.map((d) => d.id)).toContain(lampOfA?.id);
    const offline = await getJson<{ items: { id: string }[] }>(
      `${city.apiUrl}/api/v1/devices?status=offline&limit=1000`,
    );
    expect(offline.body.items.map((d) => d.id)).not.toContain(lampOfA?.id);
  });

  it('answers bad queries with problem+json naming the field, and unknown devices with 404', async () => {
    const res = await apiFetch(`${city.apiUrl}/api/v1/devices?kind=toaster&limit=0`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await res.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['query.kind', 'query.limit']);
    expect((await getJson(`${city.apiUrl}/api/v1/devices/nope`)).status).toBe(404);
  });
});
