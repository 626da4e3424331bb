import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellOf } from '../../cloud/geo/cells.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import type { Reading } from '../../shared/kinds/index.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { smartDataModelValidators } from '../helpers/smart-data-models.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Open data end to end: a simulated city reports two hours over MQTT into a real influxd; the
 * platform rolls the readings up; an admin defines datasets over the API; the public API serves
 * them without a token, as the raw readings say, in CSV (read by Python), JSON, NGSI-LD (valid
 * against the Smart Data Models) and the DCAT-AP-CZ catalogue.
 */
const fleet = generateFleet({ seed: 53, devices: 80, devicesPerGateway: 20 });
const devices = new Map(fleet.devices.map((d) => [d.id, d]));
let influxd: LocalInfluxd;
let cloud: TestCloud;
let dir: Awaited<ReturnType<typeof tempDir>>;
let readings: Reading[] = [];

const people = {
  id: 'people-by-district',
  title: { cs: 'Chodci po čtvrtích', en: 'Pedestrians by district' },
  description: { cs: 'Hodinové součty z kamer.', en: 'Hourly sums from the cameras.' },
  kind: 'camera',
  metric: 'peopleCount',
  aggregate: 'sum',
  granularity: 'hour',
  unit: 'district',
  minCellSize: 10,
  // docs/privacy.md: a camera's data is published 24 hours after the fact at the earliest.
  delayMinutes: 24 * 60,
  keywords: { cs: ['chodci'], en: ['pedestrians'] },
  published: true,
};
const bins = {
  ...people,
  id: 'bin-filling-by-district',
  title: { cs: 'Naplnění košů', en: 'Bin filling' },
  kind: 'wasteBin',
  metric: 'fillingLevel',
  aggregate: 'max',
  minCellSize: undefined,
  delayMinutes: 0,
};
const power = {
  ...people,
  id: 'lamp-power-by-zone',
  title: { cs: 'Příkon osvětlení', en: 'Street lighting power' },
  kind: 'streetlight',
  metric: 'activePower',
  aggregate: 'mean',
  unit: 'zone',
  minCellSize: undefined,
  delayMinutes: 0,
};

const send = (method: string, path: string, body?: unknown) =>
  apiFetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
/** A public request: no token at all. */
const open = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${cloud.apiUrl}/open/default${path}`, { headers });

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet);
  dir = await tempDir('open-data');
  const secrets = new Map<string, string>();
  for (const g of fleet.gateways) secrets.set(g.id, await cloud.provision(g.id));
  // Five-minute steps, from three hours ago: two whole hours of the city, in the past.
  const city = await streamingCity({
    fleet,
    mqttUrl: cloud.mqttUrl,
    dataDir: join(dir.path, 'edge'),
    secrets,
    log: silentLog,
    stepS: 300,
  });
  for (let i = 0; i < 24; i++) await city.pollAll();
  await city.drained();
  await cloud.cloud.flush();
  readings = city.readings();
  await city.stop();
  // Without an IČO the catalogue says it lacks one; a wrong check digit is refused.
  const unset = (await (await send('GET', '/api/v1/open-data/catalogue')).json()) as {
    missing: { field: string }[];
  };
  expect(unset.missing.map((m) => m.field)).toContain('publisher.ico');
  expect(
    (await send('PUT', '/api/v1/open-data/catalogue', { publisher: { name: 'Město', ico: '00254658' } }))
      .status,
  ).toBe(400);
  const set = await send('PUT', '/api/v1/open-data/catalogue', {
    publisher: { name: 'Město', ico: '00254657' },
  });
  expect(set.status).toBe(200);
  expect(((await set.json()) as { missing: { field: string }[] }).missing.map((m) => m.field)).not.toContain(
    'publisher.ico',
  );
  for (const dataset of [people, bins, power, { ...power, id: 'draft', published: false }])
    expect((await send('POST', '/api/v1/open-data/datasets', dataset)).status).toBe(201);
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
  await influxd?.stop();
  await dir?.remove();
});

/** Raw readings of one metric, summed or averaged per whole UTC hour and place. */
function fromRaw(kind: string, metric: string, placeOf: (deviceId: string) => string, fn: 'max' | 'mean') {
  const cells = new Map<string, number[]>();
  for (const r of readings) {
    const value = (r.metrics as Record<string, unknown>)[metric];
    if (r.kind !== kind || typeof value !== 'number') continue;
    const hour = new Date(Math.floor(Date.parse(r.ts) / 3_600_000) * 3_600_000).toISOString();
    const key = `${hour} ${placeOf(r.deviceId)}`;
    cells.set(key, [...(cells.get(key) ?? []), value]);
  }
  return new Map(
    [...cells].map(([key, values]) => {
      const sum = values.reduce((a, b) => a + b, 0);
      return [key, fn === 'max' ? Math.max(...values) : sum / values.length];
    }),
  );
}

function readCsv(csv: string): Record<string, string>[] {
  const script =
    'import csv, io, json, sys\nprint(json.dumps(list(csv.DictReader(io.StringIO(sys.stdin.read(), newline="")))))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: csv }).toString());
}

describe('open data on a real influxd', () => {
  it('serves the fullest bin per district and hour as the raw readings say, in CSV that Python reads', async () => {
    const res = await open(
      `/datasets/${bins.id}/data.csv?from=${new Date(Date.now() - 4 * 3_600_000).toISOString()}`,
    );
    expect(res.status).toBe(200);
    const rows = readCsv(await res.text());
    const expected = fromRaw('wasteBin', 'fillingLevel', (id) => devices.get(id)?.district as string, 'max');
    // Every hour that has ended is published; the hour still running is not.
    const ended = [...expected.keys()].filter(
      (k) => Date.parse(k.split(' ')[0] as string) + 3_600_000 <= Date.now(),
    );
    expect(rows.map((r) => `${r.start} ${r.district}`).sort()).toEqual(ended.sort());
    for (const row of rows)
      expect(Number(row.value_percent)).toBe(expected.get(`${row.start} ${row.district}`));
  });

  it("publishes no count of people within a day of the readings (a camera's delay)", async () => {
    const csv = await (await open(`/datasets/${people.id}/data.csv`)).text();
    expect(csv).toBe('start,end,district,value_count,readings,suppressed\r\n');
    const entities = await (await open('/ngsi-ld/v1/entities?type=CrowdFlowObserved')).json();
    expect(entities).toEqual([]);
  });

  it('serves the mean power per map cell in JSON and as Streetlight entities valid against the model', async () => {
    const expected = fromRaw(
      'streetlight',
      'activePower',
      (id) => cellOf(devices.get(id)?.location as never),
      'mean',
    );
    const json = (await (await open(`/datasets/${power.id}/data.json`)).json()) as {
      unit: string;
      rows: { start: string; zone: string; value: number }[];
    };
    expect(json.unit).toBe('W');
    expect(json.rows.length).toBeGreaterThan(0);
    for (const row of json.rows)
      expect(row.value).toBeCloseTo(expected.get(`${row.start} ${row.zone}`) as number, 6);

    const entities = (await (
      await open('/ngsi-ld/v1/entities?type=Streetlight&options=keyValues&limit=1000')
    ).json()) as Record<string, unknown>[];
    expect(entities.length).toBe(new Set(json.rows.map((r) => r.zone)).size);
    const validate = smartDataModelValidators().Streetlight;
    for (const { '@context': _, ...entity } of entities)
      expect(validate?.(entity), JSON.stringify(validate?.errors)).toBe(true);
  });

  it('lists the published datasets in the DCAT-AP-CZ catalogue, and answers 404 for the draft, 304 for what did not change', async () => {
    const catalogue = (await (await open('/catalog')).json()) as {
      datová_sada: string[];
      poskytovatel: string;
    };
    expect(catalogue.datová_sada.map((iri) => iri.split('/').at(-1)).sort()).toEqual([
      bins.id,
      power.id,
      people.id,
    ]);
    const record = await open(`/datasets/${people.id}`);
    expect(record.headers.get('content-type')).toMatch(/application\/ld\+json/);
    expect([(await open('/datasets/draft')).status, (await open('/datasets/draft/data.csv')).status]).toEqual(
      [404, 404],
    );
    const etag = record.headers.get('etag') as string;
    expect((await open(`/datasets/${people.id}`, { 'If-None-Match': etag })).status).toBe(304);
  });
});
