import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { waitFor } from '../helpers/wait.ts';

/** The map's answers over real HTTP, with device states moved by real readings through the rules. */
const fleet = generateFleet({ seed: 34, devices: 300, devicesPerGateway: 300 });
const gateway = fleet.gateways[0]?.id as string;
const bins = fleet.devices.filter((d) => d.kind === 'wasteBin');
const bin = bins[0] as (typeof fleet.devices)[number];
let influxd: LocalInfluxd;
let cloud: TestCloud;
let client: MqttClient;
let batches = 0;

type States = Record<string, number>;
interface Feature {
  id: number | string;
  geometry: { coordinates: [number, number] };
  properties:
    | { cluster: true; id: number; count: number; states: States; worst: string; expansionZoom: number }
    | { cluster: false; id: string; kind: string; district: string; state: string };
}

const lons = fleet.devices.map((d) => d.location.lon);
const lats = fleet.devices.map((d) => d.location.lat);
const everything = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)].join(',');

const clusters = async (query: string) => {
  const { status, body } = await getJson<{ type: string; features: Feature[] }>(
    `${cloud.apiUrl}/api/v1/map/clusters?${query}`,
  );
  expect(status).toBe(200);
  return body.features;
};
const countOf = (features: Feature[]) =>
  features.reduce((n, f) => n + (f.properties.cluster ? f.properties.count : 1), 0);
/** Devices per state over clusters and lone devices. */
function stateCounts(features: Feature[]): States {
  const counts: States = {};
  for (const { properties: p } of features) {
    if (p.cluster) for (const [s, n] of Object.entries(p.states)) counts[s] = (counts[s] ?? 0) + n;
    else counts[p.state] = (counts[p.state] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

async function send(readings: { deviceId: string; kind: string; metrics: Record<string, unknown> }[]) {
  const ts = new Date().toISOString();
  await client.publishAsync(
    gatewayTopic(gateway, 'telemetry'),
    JSON.stringify({
      v: 1,
      gatewayId: gateway,
      sentAt: ts,
      batchId: `m${batches++}`,
      readings: readings.map((r) => ({ ...r, ts })),
    }),
    { qos: 1 },
  );
}

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet, { DEVICE_STATE_SWEEP_S: '0.05' });
  const secret = await cloud.provision(gateway);
  client = await connectAsync(cloud.mqttUrl, {
    clientId: gateway,
    username: gateway,
    password: secret,
    reconnectPeriod: 0,
  });
});

afterAll(async () => {
  await client?.endAsync(true);
  await cloud?.stop();
  await influxd?.stop();
});

describe('map clusters', () => {
  it("add up to the filter's device count at every zoom", async () => {
    for (const zoom of [0, 10, 13, 16, 22])
      expect(countOf(await clusters(`bbox=${everything}&zoom=${zoom}`))).toBe(fleet.devices.length);
    const district = bin.district;
    const expected = fleet.devices.filter((d) => d.kind === 'wasteBin' && d.district === district).length;
    expect(countOf(await clusters(`bbox=${everything}&zoom=12&kind=wasteBin&district=${district}`))).toBe(
      expected,
    );
    // Never heard from: every device is offline, and the clusters say so.
    expect(stateCounts(await clusters(`bbox=${everything}&zoom=12`))).toEqual({
      offline: fleet.devices.length,
    });
  });

  it('cluster less as the zoom grows, and stand alone past the last clustering zoom', async () => {
    const far = await clusters(`bbox=${everything}&zoom=8`);
    const near = await clusters(`bbox=${everything}&zoom=15`);
    expect(far.length).toBeLessThan(near.length);
    const street = await clusters(`bbox=${everything}&zoom=22`);
    expect(street.every((f) => !f.properties.cluster)).toBe(true);
    // Each device alone, as itself: nothing more, nothing less (made from kept texts past zoom 16).
    const byId = new Map(fleet.devices.map((d) => [d.id, d]));
    expect(street).toHaveLength(fleet.devices.length);
    for (const f of street) {
      const d = byId.get(String(f.id));
      expect(f).toEqual({
        type: 'Feature',
        id: d?.id,
        geometry: { type: 'Point', coordinates: [d?.location.lon, d?.location.lat] },
        properties: { cluster: false, id: d?.id, kind: d?.kind, district: d?.district, state: 'offline' },
      });
    }
    for (const f of far.filter((f) => f.properties.cluster))
      expect(f.properties.cluster && f.properties.expansionZoom).toBeGreaterThan(8);
  });

  it('are GeoJSON in UTF-8, whole', async () => {
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/map/clusters?bbox=${everything}&zoom=22`);
    expect(res.headers.get('content-type')).toBe('application/geo+json; charset=utf-8');
    const text = await res.text();
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(JSON.parse(text).features).toHaveLength(fleet.devices.length);
  });

  it('keep to the box', async () => {
    const [w, s, e, n] = everything.split(',').map(Number) as [number, number, number, number];
    const west = `${w},${s},${(w + e) / 2},${n}`;
    const inside = fleet.devices.filter((d) => d.location.lon <= (w + e) / 2).length;
    const lone = await clusters(`bbox=${west}&zoom=22`);
    expect(lone).toHaveLength(inside);
    expect(lone.every((f) => f.geometry.coordinates[0] <= (w + e) / 2)).toBe(true);
    expect(await clusters('bbox=-10,-10,-9,-9&zoom=5')).toEqual([]);
  });

  it('count a device in the state of its worst open alert, and back when the alert resolves', async () => {
    await send(
      fleet.devices
        .filter((d) => d.kind === 'wasteBin')
        .map((d) => ({ deviceId: d.id, kind: d.kind, metrics: { fillingLevel: 10 } })),
    );
    const total = bins.length;
    await waitFor(
      'the bins online',
      async () => (await stateCounts(await clusters(`bbox=${everything}&zoom=3&kind=wasteBin`))).ok === total,
    );
    await send([{ deviceId: bin.id, kind: 'wasteBin', metrics: { fillingLevel: 90 } }]);
    const firing = await waitFor('one bin in warning', async () => {
      const counts = stateCounts(await clusters(`bbox=${everything}&zoom=3&kind=wasteBin`));
      return counts.warning === 1 ? counts : undefined;
    });
    expect(firing).toEqual({ ok: total - 1, warning: 1 });
    const [only] = await clusters(`bbox=${everything}&zoom=3&kind=wasteBin&state=warning`);
    expect(only?.properties).toEqual({
      cluster: false,
      id: bin.id,
      kind: 'wasteBin',
      district: bin.district,
      state: 'warning',
    });
    const top = (await clusters(`bbox=${everything}&zoom=0&kind=wasteBin`))[0]?.properties;
    expect(top).toMatchObject({ cluster: true, worst: 'warning' });
    const listed = await getJson<{ total: number; items: { id: string; state: string }[] }>(
      `${cloud.apiUrl}/api/v1/devices?state=warning`,
    );
    expect(listed.body).toMatchObject({ total: 1, items: [{ id: bin.id, state: 'warning' }] });
    await send([{ deviceId: bin.id, kind: 'wasteBin', metrics: { fillingLevel: 20 } }]);
    await waitFor(
      'the bin back to ok',
      async () => stateCounts(await clusters(`bbox=${everything}&zoom=3&kind=wasteBin`)).ok === total,
    );
  });

  it('refuse a bad box or zoom with the field at fault', async () => {
    for (const query of [
      'bbox=1,2,3&zoom=1',
      'bbox=1,60,2,50&zoom=1',
      'bbox=-181,0,1,1&zoom=1',
      'bbox=a,b,c,d&zoom=1',
      `bbox=${everything}&zoom=23`,
      `bbox=${everything}`,
      `bbox=${everything}&zoom=3&state=broken`,
    ]) {
      const { status, body } = await getJson<{ errors: { path: string }[] }>(
        `${cloud.apiUrl}/api/v1/map/clusters?${query}`,
      );
      expect(status, query).toBe(400);
      expect(body.errors[0]?.path, query).toMatch(/^query\.(bbox|zoom|state)$/);
    }
  });

  it('accept a box across the antimeridian', async () => {
    expect(await clusters('bbox=170,-10,-170,10&zoom=2')).toEqual([]);
  });
});

describe('map districts, settings and the bounded device map', () => {
  it('outline each district around its devices', async () => {
    const { body } = await getJson<{
      features: {
        geometry: { type: string; coordinates: [number, number][][] };
        properties: { district: string; devices: number };
      }[];
    }>(`${cloud.apiUrl}/api/v1/map/districts`);
    const districts = [...new Set(fleet.devices.map((d) => d.district))].sort();
    expect(body.features.map((f) => f.properties.district)).toEqual(districts);
    for (const f of body.features) {
      const devices = fleet.devices.filter((d) => d.district === f.properties.district);
      expect(f.properties.devices).toBe(devices.length);
      expect(f.geometry.type).toBe('Polygon');
      const ring = f.geometry.coordinates[0] as [number, number][];
      const [xs, ys] = [ring.map((p) => p[0]), ring.map((p) => p[1])];
      for (const d of devices) {
        expect(d.location.lon).toBeGreaterThan(Math.min(...xs));
        expect(d.location.lon).toBeLessThan(Math.max(...xs));
        expect(d.location.lat).toBeGreaterThan(Math.min(...ys));
        expect(d.location.lat).toBeLessThan(Math.max(...ys));
      }
    }
  });

  it('give the city, the bounds and no tiles by default', async () => {
    const { body } = await getJson(`${cloud.apiUrl}/api/v1/map/settings`);
    expect(body).toEqual({
      city: fleet.city,
      bounds: everything.split(',').map(Number),
      tileUrl: null,
      attribution: null,
    });
  });

  it('bound /map by box and limit, and tell how many matched', async () => {
    const { body } = await getJson<{ features: unknown[]; numberMatched: number; numberReturned: number }>(
      `${cloud.apiUrl}/api/v1/map?limit=7`,
    );
    expect(body).toMatchObject({ numberMatched: fleet.devices.length, numberReturned: 7 });
    expect(body.features).toHaveLength(7);
    const boxed = await getJson<{ numberMatched: number }>(`${cloud.apiUrl}/api/v1/map?bbox=-10,-10,-9,-9`);
    expect(boxed.body.numberMatched).toBe(0);
    expect((await getJson(`${cloud.apiUrl}/api/v1/map?limit=5001`)).status).toBe(400);
  });

  it("answer /map with each device's latest values and last-seen time as its readings come in", async () => {
    const { lon, lat } = bin.location;
    const url = `${cloud.apiUrl}/api/v1/map?bbox=${lon - 1e-6},${lat - 1e-6},${lon + 1e-6},${lat + 1e-6}&kind=wasteBin`;
    type Answer = {
      features: { properties: { id: string; lastSeen: string; latest: Record<string, unknown> } }[];
    };
    const featureOf = async () =>
      (await getJson<Answer>(url)).body.features.find((f) => f.properties.id === bin.id);
    for (const fillingLevel of [33, 34]) {
      const before = await featureOf();
      await send([{ deviceId: bin.id, kind: 'wasteBin', metrics: { fillingLevel } }]);
      // The feature is kept between readings: the reading's change makes it written again.
      const after = await waitFor(`the map's feature with fillingLevel ${fillingLevel}`, async () => {
        const feature = await featureOf();
        return feature?.properties.latest.fillingLevel === fillingLevel ? feature : undefined;
      });
      expect(after.properties.lastSeen >= (before?.properties.lastSeen ?? '')).toBe(true);
    }
  });

  it('filter /map by kind and district within the box, counting every match', async () => {
    const [w, s, e, n] = everything.split(',').map(Number) as [number, number, number, number];
    const west = `${w},${s},${(w + e) / 2},${n}`;
    const { district } = fleet.devices[0] as (typeof fleet.devices)[number];
    for (const kind of ['wasteBin', 'streetlight']) {
      const expected = fleet.devices
        .filter((d) => d.kind === kind && d.location.lon <= (w + e) / 2)
        .map((d) => d.id)
        .sort();
      const { body } = await getJson<{
        features: { properties: { id: string; kind: string } }[];
        numberMatched: number;
      }>(`${cloud.apiUrl}/api/v1/map?bbox=${west}&kind=${kind}&limit=5000`);
      expect(expected.length).toBeGreaterThan(0);
      expect(body.numberMatched).toBe(expected.length);
      expect(body.features.map((f) => f.properties.id).sort()).toEqual(expected);
      const inDistrict = fleet.devices.filter(
        (d) => d.kind === kind && d.district === district && d.location.lon <= (w + e) / 2,
      ).length;
      const limited = await getJson<{ features: unknown[]; numberMatched: number }>(
        `${cloud.apiUrl}/api/v1/map?bbox=${west}&kind=${kind}&district=${district}&limit=1`,
      );
      expect(limited.body.numberMatched).toBe(inDistrict);
      expect(limited.body.features).toHaveLength(Math.min(1, inDistrict));
    }
  });
});
