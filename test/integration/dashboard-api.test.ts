import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { distanceM } from '../../shared/geo.ts';
import type { Reading } from '../../shared/kinds/index.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, getJson, silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const fleet = generateFleet({ seed: 51, devices: 60, devicesPerGateway: 20 });
let influxd: LocalInfluxd;
let cloud: TestCloud;
let dir: Awaited<ReturnType<typeof tempDir>>;
let readings: Reading[] = [];
let window: { from: number; to: number };

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet);
  dir = await tempDir('dashboards');
  const secrets = new Map<string, string>();
  for (const g of fleet.gateways) secrets.set(g.id, await cloud.provision(g.id));
  // Five-minute steps: two hours of the simulated city, in the past.
  const city = await streamingCity({
    fleet,
    mqttUrl: cloud.mqttUrl,
    dataDir: join(dir.path, 'edge'),
    secrets,
    log: silentLog,
    stepS: 300,
  });
  const first = city.simulatedNow();
  for (let i = 0; i < 24; i++) await city.pollAll();
  await city.drained();
  await cloud.cloud.flush();
  readings = city.readings();
  window = { from: first, to: city.simulatedNow() + 1 };
  await city.stop();
});

afterAll(async () => {
  await cloud?.stop();
  await influxd?.stop();
  await dir?.remove();
});

const api = <T>(path: string) => getJson<T>(`${cloud.apiUrl}${path}`);
const iso = (ms: number) => new Date(ms).toISOString();

type Fn = 'mean' | 'min' | 'max' | 'sum' | 'count' | 'last';
/** What GROUP BY time() should give, computed from the readings the devices produced. */
function expectedBuckets(values: { t: number; v: number }[], everyMs: number, fn: Fn) {
  const buckets = new Map<number, number[]>();
  for (const { t, v } of values.sort((a, b) => a.t - b.t)) {
    const start = Math.floor(t / everyMs) * everyMs;
    buckets.set(start, [...(buckets.get(start) ?? []), v]);
  }
  const aggregate: Record<Fn, (v: number[]) => number> = {
    mean: (v) => v.reduce((a, b) => a + b, 0) / v.length,
    min: (v) => Math.min(...v),
    max: (v) => Math.max(...v),
    sum: (v) => v.reduce((a, b) => a + b, 0),
    count: (v) => v.length,
    last: (v) => v[v.length - 1] as number,
  };
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, v]) => ({ t: iso(t), v: aggregate[fn](v) }));
}

describe('time series', () => {
  it.each(['mean', 'min', 'max', 'sum', 'count', 'last'] as Fn[])(
    'aggregates one device with %s per 15 minutes as the raw points say',
    async (fn) => {
      const lamp = fleet.devices.find((d) => d.kind === 'streetlight') as { id: string };
      const { status, body } = await api<{
        points: { t: string; v: number }[];
        every: string;
        coarsened: boolean;
      }>(
        `/api/v1/devices/${lamp.id}/series?metric=voltage&fn=${fn}&every=15m&from=${iso(window.from)}&to=${iso(window.to)}`,
      );
      expect(status).toBe(200);
      expect(body).toMatchObject({ every: '15m', coarsened: false });
      const raw = readings
        .filter((r) => r.deviceId === lamp.id)
        .map((r) => ({ t: Date.parse(r.ts), v: (r.metrics as { voltage: number }).voltage }));
      const expected = expectedBuckets(raw, 15 * 60_000, fn);
      expect(body.points.map((p) => p.t)).toEqual(expected.map((p) => p.t));
      body.points.forEach((p, i) => {
        expect(p.v).toBeCloseTo(expected[i]?.v as number, 6);
      });
    },
  );

  it('aggregates a kind over one district', async () => {
    const district = fleet.devices.find((d) => d.kind === 'camera')?.district as string;
    const ids = new Set(
      fleet.devices.filter((d) => d.kind === 'camera' && d.district === district).map((d) => d.id),
    );
    const { body } = await api<{ points: { t: string; v: number }[] }>(
      `/api/v1/series?kind=camera&district=${district}&metric=peopleCount&fn=sum&every=1h&from=${iso(window.from)}&to=${iso(window.to)}`,
    );
    const raw = readings
      .filter((r) => ids.has(r.deviceId))
      .map((r) => ({ t: Date.parse(r.ts), v: (r.metrics as { peopleCount: number }).peopleCount }));
    expect(body.points).toEqual(expectedBuckets(raw, 3_600_000, 'sum'));
  });

  it('coarsens a request for too many points instead of answering slowly', async () => {
    const lamp = fleet.devices[0]?.id as string;
    const { body } = await api<{ points: unknown[]; every: string; coarsened: boolean }>(
      `/api/v1/devices/${lamp}/series?metric=${fleet.devices[0]?.kind === 'camera' ? 'rsrp' : fleet.devices[0]?.kind === 'wasteBin' ? 'fillingLevel' : 'voltage'}&every=1s&from=${iso(Date.now() - 30 * 86_400_000)}`,
    );
    // 30 days in at most 2,000 buckets: 21.6 min each, snapped up to the next nice step.
    expect(body.coarsened).toBe(true);
    expect(body.every).toBe('30m');
    expect(body.points.length).toBeLessThanOrEqual(2_000);
  });

  it.each([
    ['metric=status', 'query.metric'],
    ['metric=voltage&every=5x', 'query.every'],
    ['metric=voltage&fn=median', 'query.fn'],
    [`metric=voltage&from=${iso(Date.now())}&to=${iso(Date.now() - 1000)}`, 'query.from'],
    ['metric=voltage&extra=1', 'query'],
  ])('answers %s with problem+json naming %s', async (query, path) => {
    const lamp = fleet.devices.find((d) => d.kind === 'streetlight')?.id as string;
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/devices/${lamp}/series?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const body = (await res.json()) as { errors: { path: string }[] };
    expect(body.errors.map((e) => e.path).join(' ')).toContain(path);
  });
});

describe('devices, map, KPIs and the collection round', () => {
  it('finds devices by free text and sorts them', async () => {
    const target = fleet.devices[7] as { id: string };
    const found = await api<{ total: number; items: { id: string }[] }>(
      `/api/v1/devices?q=${target.id.slice(-4)}`,
    );
    expect(found.body.items.map((d) => d.id)).toContain(target.id);
    const byKind = await api<{ items: { kind: string; id: string }[] }>(
      '/api/v1/devices?sort=kind&limit=1000',
    );
    const kinds = byKind.body.items.map((d) => d.kind);
    expect(kinds).toEqual([...kinds].sort());
    const desc = await api<{ items: { id: string }[] }>('/api/v1/devices?sort=-id&limit=3');
    expect(desc.body.items.map((d) => d.id)).toEqual(
      fleet.devices
        .map((d) => d.id)
        .sort()
        .reverse()
        .slice(0, 3),
    );
  });

  it('serves every located device as valid GeoJSON', async () => {
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/map`);
    expect(res.headers.get('content-type')).toMatch(/application\/geo\+json/);
    const map = (await res.json()) as {
      type: string;
      features: {
        type: string;
        geometry: { type: string; coordinates: number[] };
        properties: { id: string; status: string; condition: string };
      }[];
    };
    expect(map.type).toBe('FeatureCollection');
    expect(map.features).toHaveLength(fleet.devices.length);
    for (const f of map.features) {
      const device = fleet.devices.find((d) => d.id === f.properties.id);
      expect(f.type).toBe('Feature');
      expect(f.geometry).toEqual({
        type: 'Point',
        coordinates: [device?.location.lon, device?.location.lat],
      });
      expect(['ok', 'fault', 'offline']).toContain(f.properties.condition);
    }
  });

  it('gives KPIs consistent with the devices and today readings', async () => {
    const { body } = await api<{
      streetlight: { total: number; on: number; off: number; faulty: number; energyTodayKWh: number };
      wasteBin: { total: number; aboveThreshold: number };
      camera: { total: number; peopleToday: number; vehiclesToday: number };
      evCharger: {
        total: number;
        occupied: number;
        charging: number;
        utilisationPercent: number;
        energyTodayKWh: number;
        sessionsToday: number;
      };
      gateways: { total: number };
      today: { since: string };
    }>('/api/v1/summary');
    const count = (kind: string) => fleet.devices.filter((d) => d.kind === kind).length;
    expect(body.streetlight.total).toBe(count('streetlight'));
    expect(body.streetlight.on + body.streetlight.off).toBeLessThanOrEqual(body.streetlight.total);
    expect(body.camera.total).toBe(count('camera'));
    expect(body.gateways.total).toBe(fleet.gateways.length);
    const since = Date.parse(body.today.since);
    const today = readings.filter((r) => r.kind === 'camera' && Date.parse(r.ts) >= since);
    const people = today.reduce((n, r) => n + (r.metrics as { peopleCount: number }).peopleCount, 0);
    expect(body.camera.peopleToday).toBe(people);
    expect(body.evCharger.total).toBe(count('evCharger'));
    expect(body.evCharger.charging).toBeLessThanOrEqual(body.evCharger.occupied);
    expect(body.evCharger.utilisationPercent).toBe(
      Math.round((1000 * body.evCharger.occupied) / body.evCharger.total) / 10,
    );
    expect(body.evCharger.sessionsToday).toBeGreaterThanOrEqual(0);
    // Energy delivered today: each charger's meter increase since local midnight, summed.
    const meters = new Map<string, number[]>();
    for (const r of readings.filter((x) => x.kind === 'evCharger' && Date.parse(x.ts) >= since))
      meters.set(r.deviceId, [
        ...(meters.get(r.deviceId) ?? []),
        (r.metrics as { cumulativeEnergy: number }).cumulativeEnergy,
      ]);
    const energy = [...meters.values()].reduce((sum, m) => sum + Math.max(...m) - Math.min(...m), 0);
    expect(body.evCharger.energyTodayKWh).toBeCloseTo(energy, 6);
  });

  it('orders the bins to empty into a round from the depot', async () => {
    const depot = fleet.city.location;
    const { body } = await api<{
      stops: {
        order: number;
        deviceId: string;
        fillingLevel: number;
        location: { lat: number; lon: number };
      }[];
      totalMeters: number;
    }>(`/api/v1/waste/collection?threshold=0&depot=${depot.lat},${depot.lon}`);
    const bins = fleet.devices.filter((d) => d.kind === 'wasteBin');
    expect(body.stops.map((s) => s.deviceId).sort()).toEqual(bins.map((b) => b.id).sort());
    let total = 0;
    let here = depot;
    for (const stop of body.stops) {
      total += distanceM(here, stop.location);
      here = stop.location;
    }
    total += distanceM(here, depot);
    expect(body.totalMeters).toBe(Math.round(total));
    // Better than visiting the bins in id order.
    let naive = 0;
    here = depot;
    for (const bin of bins) {
      naive += distanceM(here, bin.location);
      here = bin.location;
    }
    naive += distanceM(here, depot);
    expect(total).toBeLessThan(naive);
    const bad = await apiFetch(`${cloud.apiUrl}/api/v1/waste/collection?threshold=120&depot=north`);
    expect(bad.status).toBe(400);
  });
});

describe('OpenAPI and metrics', () => {
  it('publishes an OpenAPI 3.1 document generated from the validation schemas', async () => {
    const { body } = await api<{
      openapi: string;
      paths: Record<string, { get?: { parameters?: { name: string }[] } }>;
    }>('/api/openapi.json');
    expect(body.openapi).toBe('3.1.0');
    const params = body.paths['/api/v1/devices']?.get?.parameters?.map((p) => p.name);
    expect(params).toEqual(
      expect.arrayContaining(['kind', 'district', 'status', 'q', 'sort', 'limit', 'offset']),
    );
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/devices/{id}/series', '/api/v1/map', '/api/v1/waste/collection']),
    );
  });

  it('exposes Prometheus metrics', async () => {
    const text = await (await apiFetch(`${cloud.apiUrl}/metrics`)).text();
    const accepted = Number(/^city_readings_accepted_total (\d+)/m.exec(text)?.[1]);
    expect(accepted).toBe(readings.length);
    expect(text).toMatch(/^city_journal_lines \d+/m);
    expect(text).toMatch(/^city_cloud_process_resident_memory_bytes \d+/m);
  });
});
