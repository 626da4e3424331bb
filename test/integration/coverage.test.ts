import { join } from 'node:path';
import { latLngToCell } from 'h3-js';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../cloud/coverage/classes.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { EdgeAgent } from '../../edge/agent.ts';
import { gatewayOutbox } from '../../edge/compose.ts';
import { agentConfig } from '../../edge/config.ts';
import type { FleetFile, Location } from '../../shared/fleet.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import type { Uplink } from '../../shared/uplink.ts';
import { simulatedUplinkFactory } from '../../simulators/uplink/factory.ts';
import {
  apiFetch,
  countPoints,
  getJson,
  silentLog,
  startTestCloud,
  type TestCloud,
} from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * The coverage layer end to end: a gateway's edge agent sends its simulated uplink in heartbeats, a
 * second gateway sends heartbeats with links and its cameras' readings over a real MQTT client, into
 * the real cloud (aedes) and a real influxd; /api/v1/coverage is checked cell by cell and hour by
 * hour against the figures computed here from what was sent.
 */
const hour = 3_600_000;
const at = (lat: number, lon: number): Location => ({ lat, lon });
const fleet: FleetFile = {
  city: { name: 'Karlovy Vary', timezone: 'Europe/Prague', location: at(50.231, 12.871) },
  gateways: [
    { id: 'gw-agent', district: 'centrum', location: at(50.2305, 12.8713) },
    { id: 'gw-raw', district: 'rybare', location: at(50.2401, 12.8404) },
  ],
  devices: [
    // Two cameras in the agent gateway's cell, one in a cell of its own, all sent by gw-raw.
    { id: 'cam-1', kind: 'camera', gatewayId: 'gw-raw', district: 'centrum', location: at(50.2306, 12.8714) },
    { id: 'cam-2', kind: 'camera', gatewayId: 'gw-raw', district: 'centrum', location: at(50.2304, 12.8711) },
    { id: 'cam-3', kind: 'camera', gatewayId: 'gw-raw', district: 'drahovice', location: at(50.215, 12.9) },
  ],
};
const cellOf = (l: Location) => latLngToCell(l.lat, l.lon, 8);
const located = new Map<string, Location>([
  ...fleet.gateways.map((g) => [g.id, g.location] as const),
  ...fleet.devices.map((d) => [d.id, d.location] as const),
]);

/** Two whole hours in the past; the cloud's clock is moved through them. */
const base = Math.floor(Date.now() / hour) * hour - 2 * hour;
let current = base + 10 * 60_000;

/** Everything sent: who measured what, in which hour. */
const sent: { source: string; hour: number; rsrp?: number; sinr?: number }[] = [];

let influxd: LocalInfluxd;
let cloud: TestCloud;
let raw: MqttClient;
let agent: EdgeAgent;
let dir: Awaited<ReturnType<typeof tempDir>>;
let batches = 0;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet, {}, () => new Date(current));
  dir = await tempDir('coverage-agent');
  const config = agentConfig.parse({
    gatewayId: 'gw-agent',
    mqtt: { url: cloud.mqttUrl, password: await cloud.provision('gw-agent') },
    dataDir: join(dir.path, 'edge'),
    heartbeatIntervalS: 3_600,
  });
  const simulated = simulatedUplinkFactory.create(
    { seed: 'coverage-test' },
    { gatewayId: 'gw-agent', location: fleet.gateways[0]?.location },
  );
  agent = new EdgeAgent({
    config,
    drivers: [],
    outbox: gatewayOutbox(config),
    log: silentLog,
    now: () => new Date(current),
    random: Math.random,
    // What the agent measured is what it sent: recorded here to compute the expected figures.
    uplink: {
      read: async (now) => {
        const link = await simulated.read(now);
        if (link) sent.push({ source: 'gw-agent', hour: hourOf(current), rsrp: link.rsrp, sinr: link.sinr });
        return link;
      },
    },
  });
  await agent.start({ poll: false });
  raw = await connectAsync(cloud.mqttUrl, {
    clientId: 'gw-raw',
    username: 'gw-raw',
    password: await cloud.provision('gw-raw'),
    reconnectPeriod: 0,
  });
});

afterAll(async () => {
  await agent?.stop();
  await raw?.endAsync(true);
  await cloud?.stop();
  await influxd?.stop();
  await dir?.remove();
});

const hourOf = (t: number) => Math.floor(t / hour) * hour;

/**
 * Each message a second after the one before: a point is identified by its tags and time (a heartbeat
 * is stamped when received), so two in the same millisecond would be one.
 */
const tick = () => {
  current += 1_000;
};

async function heartbeat(uplink?: Uplink) {
  tick();
  const message = {
    v: 1,
    gatewayId: 'gw-raw',
    sentAt: new Date(current).toISOString(),
    uptime: 10,
    queueDepth: 0,
    droppedReadings: 0,
    deviceCount: 3,
    softwareVersion: '1.0.0',
    memoryRss: 1e6,
    configVersion: 0,
    ...(uplink ? { uplink } : {}),
  };
  if (uplink) sent.push({ source: 'gw-raw', hour: hourOf(current), rsrp: uplink.rsrp, sinr: uplink.sinr });
  await raw.publishAsync(gatewayTopic('gw-raw', 'heartbeat'), JSON.stringify(message), { qos: 1 });
}

async function cameras(readings: { deviceId: string; rsrp?: number; sinr?: number }[]) {
  tick();
  const ts = new Date(current - 1_000).toISOString();
  for (const r of readings)
    sent.push({ source: r.deviceId, hour: hourOf(current - 1_000), rsrp: r.rsrp, sinr: r.sinr });
  const metrics = (r: (typeof readings)[number]) => ({
    ...(r.rsrp === undefined ? {} : { rsrp: r.rsrp }),
    ...(r.sinr === undefined ? {} : { sinr: r.sinr }),
  });
  await raw.publishAsync(
    gatewayTopic('gw-raw', 'telemetry'),
    JSON.stringify({
      v: 1,
      gatewayId: 'gw-raw',
      sentAt: ts,
      batchId: `c${batches++}`,
      readings: readings.map((r) => ({ deviceId: r.deviceId, kind: 'camera', ts, metrics: metrics(r) })),
    }),
    { qos: 1 },
  );
}

/** The figures of each cell and bucket, computed from what was sent. */
function expected(bucket: (hour: number) => number, metric: 'both' | 'rsrp' | 'sinr' = 'both') {
  const cells = new Map<
    string,
    { rsrp: number[]; sinr: number[]; sources: Set<string>; start: number; cell: string }
  >();
  for (const s of sent) {
    const cell = cellOf(located.get(s.source) as Location);
    const start = bucket(s.hour);
    const key = `${cell}@${new Date(start).toISOString()}`;
    const entry = cells.get(key) ?? { rsrp: [], sinr: [], sources: new Set(), start, cell };
    cells.set(key, entry);
    if (s.rsrp !== undefined) entry.rsrp.push(s.rsrp);
    if (s.sinr !== undefined) entry.sinr.push(s.sinr);
    entry.sources.add(s.source);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
  return new Map(
    [...cells].flatMap(([key, e]) => {
      const means = { rsrp: mean(e.rsrp), sinr: mean(e.sinr) };
      const found = classify(means, metric);
      return found ? [[key, { ...e, means, class: found }] as const] : [];
    }),
  );
}

interface CoverageFeature {
  id: string;
  geometry: { type: string; coordinates: [number, number][][] };
  properties: {
    cell: string;
    start: string;
    class: string;
    rsrp: number | null;
    sinr: number | null;
    readings: { rsrp: number; sinr: number };
    sources: number;
  };
}

async function coverage(query: string) {
  const { status, body } = await getJson<{ type: string; features: CoverageFeature[] }>(
    `${cloud.apiUrl}/api/v1/coverage?${query}`,
  );
  expect(status, JSON.stringify(body)).toBe(200);
  return body.features;
}

/** The API gives means to two decimals: at most half a hundredth off (a mean of -91.075 is -91.07). */
function expectRounded(actual: number | null, mean: number, id: string) {
  expect(actual, id).not.toBeNull();
  expect(Math.abs((actual as number) - mean), `${id}: ${actual} for a mean of ${mean}`).toBeLessThanOrEqual(
    0.005 + 1e-9,
  );
}

function compare(features: CoverageFeature[], want: ReturnType<typeof expected>) {
  expect(features.map((f) => f.id).sort()).toEqual([...want.keys()].sort());
  for (const f of features) {
    const e = want.get(f.id);
    if (!e) throw new Error(`unexpected ${f.id}`);
    expect(f.properties.cell).toBe(e.cell);
    expect(f.properties.class, f.id).toBe(e.class);
    expect(f.properties.readings, f.id).toEqual({ rsrp: e.rsrp.length, sinr: e.sinr.length });
    expect(f.properties.sources, f.id).toBe(e.sources.size);
    if (e.means.rsrp === undefined) expect(f.properties.rsrp).toBeNull();
    else expectRounded(f.properties.rsrp, e.means.rsrp, f.id);
    if (e.means.sinr === undefined) expect(f.properties.sinr).toBeNull();
    else expectRounded(f.properties.sinr, e.means.sinr, f.id);
    expect(f.geometry.type).toBe('Polygon');
  }
}

const range = (granularity = 'hour') =>
  `from=${new Date(base).toISOString()}&to=${new Date(base + 2 * hour).toISOString()}&granularity=${granularity}`;

describe('the coverage layer', () => {
  it('answers each cell and hour with the figures of what gateways and cameras sent', async () => {
    // First hour: the agent's heartbeat, two links of gw-raw (and one heartbeat without), cameras.
    tick();
    await agent.sendHeartbeat();
    await heartbeat({ technology: 'lte', rsrp: -108.5, sinr: 2.5, operator: '230-01' });
    await heartbeat();
    await heartbeat({ technology: 'nr', rsrp: -99, sinr: 9, rsrq: -11, latencyMs: 30 });
    await cameras([
      { deviceId: 'cam-1', rsrp: -96, sinr: 14 },
      { deviceId: 'cam-2', rsrp: -90.5, sinr: 18.2 },
      { deviceId: 'cam-3', rsrp: -121, sinr: -3 },
    ]);
    await cameras([
      { deviceId: 'cam-1', rsrp: -97 },
      { deviceId: 'cam-3', sinr: -6 },
    ]);
    await waitFor(
      'the first hour stored',
      async () => (await countPoints(cloud.influx, 'gateway_link', 'rsrp')) === 3,
    );
    await waitFor(
      'the camera readings stored',
      async () => (await countPoints(cloud.influx, 'camera', 'rsrp')) === 4,
    );

    // Second hour: the agent again, gw-raw with a weak link, one camera.
    current = base + hour + 20 * 60_000;
    tick();
    await agent.sendHeartbeat();
    await heartbeat({ technology: 'lte', rsrp: -117, sinr: -1 });
    await cameras([{ deviceId: 'cam-2', rsrp: -100, sinr: 4 }]);
    await waitFor(
      'the second hour stored',
      async () => (await countPoints(cloud.influx, 'gateway_link', 'rsrp')) === 5,
    );
    await waitFor(
      'the last reading stored',
      async () => (await countPoints(cloud.influx, 'camera', 'rsrp')) === 5,
    );

    // The cameras' part comes from the hourly rollups: computed now rather than at the next round.
    await cloud.cloud.flush();
    const byHour = expected((h) => h);
    expect(byHour.size).toBeGreaterThanOrEqual(5);
    const features = await coverage(range());
    compare(features, byHour);
    // Not one class for all: the figures sent span good to none.
    expect(new Set(features.map((f) => f.properties.class)).size).toBeGreaterThanOrEqual(3);
    // Judged on SINR alone, the same cells and figures, other classes.
    compare(
      await coverage(`${range()}&metric=sinr`),
      expected((h) => h, 'sinr'),
    );
  });

  it('folds the hours into days counted from `from`', async () => {
    compare(
      await coverage(range('day')),
      expected(() => base),
    );
  });

  it('keeps to the box', async () => {
    const features = await coverage(`${range()}&bbox=12.86,50.225,12.88,50.235`);
    expect(new Set(features.map((f) => f.properties.cell))).toEqual(
      new Set([cellOf(fleet.gateways[0]?.location as Location)]),
    );
    expect(await coverage(`${range()}&bbox=-10,-10,-9,-9`)).toEqual([]);
  });

  it("publishes the gateways' link quality per zone as open data, from the same rollups", async () => {
    const dataset = {
      id: 'gateway-rsrp',
      title: { cs: 'Signál bran', en: 'Gateway signal' },
      description: { cs: 'Průměrné RSRP bran po zónách.', en: "Gateways' mean RSRP by zone." },
      kind: 'gateway_link',
      metric: 'rsrp',
      aggregate: 'mean',
      granularity: 'hour',
      unit: 'zone',
      keywords: { cs: ['pokrytí'] },
      published: true,
    };
    const created = await apiFetch(`${cloud.apiUrl}/api/v1/open-data/datasets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(dataset),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const { body } = await getJson<{
      unit: string;
      rows: { start: string; zone: string; value: number; readings: number }[];
    }>(`${cloud.apiUrl}/open/default/datasets/${dataset.id}/data.json?from=${new Date(base).toISOString()}`);
    // Only the first hour has ended on the cloud's clock: the gateways' links of that hour, by cell.
    const want = new Map<string, number[]>();
    for (const s of sent)
      if (s.source.startsWith('gw-') && s.hour === base && s.rsrp !== undefined) {
        const key = cellOf(located.get(s.source) as Location);
        want.set(key, [...(want.get(key) ?? []), s.rsrp]);
      }
    expect(body.unit).toBe('dBm');
    expect(body.rows.length).toBeGreaterThan(0);
    expect(body.rows.map((r) => [r.start, r.zone, r.readings]).sort()).toEqual(
      [...want].map(([zone, v]) => [new Date(base).toISOString(), zone, v.length]).sort(),
    );
    for (const row of body.rows) {
      const values = want.get(row.zone) as number[];
      expect(row.value).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
    }
    // No Smart Data Model fits (docs/open-data.md): CSV and JSON only, under science and technology.
    const record = await getJson<{ téma: string[]; distribuce: { formát: string }[] }>(
      `${cloud.apiUrl}/open/default/datasets/${dataset.id}`,
    );
    expect(record.body.téma).toEqual(['http://publications.europa.eu/resource/authority/data-theme/TECH']);
    expect(record.body.distribuce.map((d) => d.formát.split('/').at(-1))).toEqual(['CSV', 'JSON']);
  });

  it('refuses a range off the hour, backwards or too long', async () => {
    const from = new Date(base).toISOString();
    for (const query of [
      `from=${new Date(base + 60_000).toISOString()}&to=${new Date(base + hour).toISOString()}`,
      `from=${new Date(base + hour).toISOString()}&to=${from}`,
      `from=${from}&to=${new Date(base + 32 * 24 * hour).toISOString()}`,
      `from=${from}&to=${new Date(base + hour).toISOString()}&bbox=1,2,3`,
      `from=${from}`,
    ]) {
      const { status } = await getJson(`${cloud.apiUrl}/api/v1/coverage?${query}`);
      expect(status, query).toBe(400);
    }
  });
});
