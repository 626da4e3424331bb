import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellOf } from '../../cloud/geo/cells.ts';
import { Counters } from '../../cloud/monitoring/counters.ts';
import { type AggregateFn, type AggregateQuery, aggregateFns } from '../../cloud/rollups/aggregates.ts';
import { DirtyMarker } from '../../cloud/rollups/dirty-marker.ts';
import { RollupReader } from '../../cloud/rollups/reader.ts';
import { ensureRollupPolicy, rollupPolicy } from '../../cloud/rollups/rollup-policy.ts';
import { RollupTask } from '../../cloud/rollups/rollup-task.ts';
import {
  gatewayLinkRollupSource,
  type RollupSource,
  rawTags,
  rollupMeasurement,
} from '../../cloud/rollups/sources.ts';
import { SqliteDirtyHourStore } from '../../cloud/rollups/sqlite-dirty-hours.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { connectInflux, type InfluxConnection } from '../../cloud/storage/influx.ts';
import { StorageThread } from '../../cloud/storage/storage-thread.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { silentLog } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Rollups on a real influxd, fed through the real storage path (journal, storage thread, drainer
 * marking dirty hours), with history written before they were enabled (a backfill) and late readings
 * after. Every aggregate (each fn, hour and day, each grouping, and the filters) is compared with the
 * same figure computed in plain JS from the readings written.
 */
const cleanups = cleanupsAfterAll();
const timeZone = 'Europe/Prague';
const hour = 3_600_000;
// 28 March 2026 is a 24-hour day in Prague, 29 March (summer time from 02:00) has 23 hours.
const t0 = Date.parse('2026-03-27T23:00:00Z');
const now = new Date('2026-03-30T20:00:00Z');

const source: RollupSource = {
  measurement: 'streetlight',
  fields: ['activePower', 'voltage'],
  tags: rawTags,
};
const devices = [
  { id: 'lamp-1', district: 'Centre', gateway: 'gw-1', at: { lat: 50.2304, lon: 12.8713 } },
  { id: 'lamp-2', district: 'Centre', gateway: 'gw-1', at: { lat: 50.2306, lon: 12.8716 } },
  { id: 'lamp-3', district: 'Centre', gateway: 'gw-2', at: { lat: 50.2205, lon: 12.8838 } },
  { id: 'lamp-4', district: 'Drahovice', gateway: 'gw-2', at: { lat: 50.2186, lon: 12.9003 } },
  { id: 'lamp-5', district: 'Drahovice', gateway: 'gw-3', at: { lat: 50.2101, lon: 12.9202 } },
];
const zoneOf = (id: string) => cellOf((devices.find((d) => d.id === id) as (typeof devices)[number]).at);

interface Reading {
  device: (typeof devices)[number];
  ts: number;
  values: Partial<Record<'activePower' | 'voltage', number>>;
}

/** Deterministic readings: every device every ~20 min over [from, to), now and then one metric missing. */
function readings(from: number, to: number, seed: number): Reading[] {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const out: Reading[] = [];
  for (const device of devices)
    for (
      let ts = from + Math.floor(random() * 600_000);
      ts < to;
      ts += 900_000 + Math.floor(random() * 900_000)
    ) {
      const values: Reading['values'] = {};
      if (random() > 0.1) values.activePower = Math.round(random() * 200 * 100) / 100 - 20;
      if (random() > 0.2) values.voltage = 200 + Math.round(random() * 5000) / 100;
      if (Object.keys(values).length > 0) out.push({ device, ts, values });
    }
  return out;
}

/** The gateways' links (heartbeats): each gateway's place is a zone tag on its points, one has none. */
const gateways = [
  { id: 'gw-1', district: 'Centre', zone: cellOf({ lat: 50.2304, lon: 12.8713 }) },
  { id: 'gw-2', district: 'Centre', zone: cellOf({ lat: 50.2186, lon: 12.9003 }) },
  { id: 'gw-3', district: 'Drahovice', zone: cellOf({ lat: 50.2186, lon: 12.9003 }) },
  { id: 'gw-4', district: 'Drahovice', zone: undefined },
];
interface Link {
  gateway: (typeof gateways)[number];
  ts: number;
  rsrp: number;
  sinr: number;
}

/** A link from every gateway every 20 to 40 minutes over [from, to). */
function links(from: number, to: number, seed: number): Link[] {
  const out: Link[] = [];
  let n = seed;
  for (const gateway of gateways)
    for (let ts = from + (n % 7) * 60_000; ts < to; ts += 1_200_000 + ((n * 7919) % 1_200_000)) {
      n += 1;
      out.push({ gateway, ts, rsrp: -80 - ((n * 37) % 45), sinr: ((n * 53) % 400) / 10 - 5 });
    }
  return out;
}

const linkLine = (l: Link) =>
  `gateway_link,gateway=${l.gateway.id},district=${l.gateway.district},technology=lte` +
  `${l.gateway.zone ? `,zone=${l.gateway.zone}` : ''} rsrp=${l.rsrp},sinr=${l.sinr} ${l.ts}`;

const line = (r: Reading) =>
  `streetlight,device=${r.device.id},district=${r.device.district},gateway=${r.device.gateway},kind=streetlight ` +
  `${Object.entries(r.values)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')} ${r.ts}`;

const dateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const clockFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const localDate = (ms: number) => dateFormat.format(ms);
const localClock = (ms: number) => clockFormat.format(ms);

/** A value measured somewhere: a device's reading or a gateway's link, with its tags. */
interface Measured {
  ts: number;
  value: number | undefined;
  district: string;
  zone: string;
  device: string;
}

const measuredReadings = (metric: string): Measured[] =>
  written.map((r) => ({
    ts: r.ts,
    value: r.values[metric as 'activePower'],
    district: r.device.district,
    zone: zoneOf(r.device.id),
    device: r.device.id,
  }));

const measuredLinks = (metric: 'rsrp' | 'sinr'): Measured[] =>
  writtenLinks.map((l) => ({
    ts: l.ts,
    value: l[metric],
    district: l.gateway.district,
    zone: l.gateway.zone ?? '',
    device: '',
  }));

/** The figure computed from the values themselves: plain arrays of values, no partials. */
function expected(measured: Measured[], q: AggregateQuery) {
  const groups = new Map<string, { bucket: string; key: string; values: number[] }>();
  for (const r of measured) {
    const { value, zone } = r;
    if (value === undefined) continue;
    if (q.district !== undefined && r.district !== q.district) continue;
    if (q.zone !== undefined && zone !== q.zone) continue;
    if (q.deviceId !== undefined && r.device !== q.deviceId) continue;
    const bucket =
      q.granularity === 'hour' ? new Date(Math.floor(r.ts / hour) * hour).toISOString() : localDate(r.ts);
    const key = { district: r.district, zone, device: r.device, all: '' }[q.by];
    const id = `${bucket} ${key}`;
    const group = groups.get(id) ?? { bucket, key, values: [] };
    group.values.push(value);
    groups.set(id, group);
  }
  const fns: Record<AggregateFn, (v: number[]) => number> = {
    mean: (v) => v.reduce((a, b) => a + b, 0) / v.length,
    sum: (v) => v.reduce((a, b) => a + b, 0),
    min: (v) => Math.min(...v),
    max: (v) => Math.max(...v),
    count: (v) => v.length,
  };
  return [...groups.values()]
    .map((g) => ({ bucket: g.bucket, key: g.key, value: fns[q.fn](g.values), readings: g.values.length }))
    .sort((a, b) => (a.bucket === b.bucket ? (a.key < b.key ? -1 : 1) : a.bucket < b.bucket ? -1 : 1));
}

let influx: InfluxConnection;
let storage: StorageThread;
let task: RollupTask;
let reader: RollupReader;
const written: Reading[] = [];
const writtenLinks: Link[] = [];

async function throughStorage(batch: Reading[], linkBatch: Link[] = []): Promise<void> {
  const lines = [...batch.map(line), ...linkBatch.map(linkLine)];
  for (let i = 0; i < lines.length; i += 40) await storage.append({ lines: lines.slice(i, i + 40) });
  await storage.drained();
  written.push(...batch);
  writtenLinks.push(...linkBatch);
}

beforeAll(async () => {
  const influxd = await startTestInfluxd();
  cleanups.push(() => influxd.stop());
  const dir = await tempDir('rollups');
  cleanups.push(() => dir.remove());
  influx = await connectInflux({ url: influxd.url, token: '', database: 'rollups_test', org: '' });
  // History from before the rollups were enabled: written straight to InfluxDB, no dirty marks.
  const history = readings(t0, t0 + 24 * hour, 1);
  const historyLinks = links(t0, t0 + 24 * hour, 1);
  await influx.writeInto('autogen', [...history.map(line), ...historyLinks.map(linkLine)]);
  written.push(...history);
  writtenLinks.push(...historyLinks);

  const db = openSqlite(join(dir.path, 'rollups.db'));
  cleanups.push(async () => db.close());
  const store = new SqliteDirtyHourStore(db);
  const marker = new DirtyMarker(store);
  storage = await StorageThread.start({
    path: join(dir.path, 'journal.db'),
    maxLines: 1_000_000,
    keyTtlMs: 60_000,
    influx: { settings: influx.settings, server: influx.server },
    drain: { batchLines: 100, concurrency: 2, lingerMs: 0, minRetryMs: 50, maxRetryMs: 200 },
    logLevel: 'silent',
    counters: new Counters(),
    log: silentLog,
    now: () => now,
    onRejected: () => undefined,
    onFailure: () => undefined,
    watch: [source.measurement, gatewayLinkRollupSource.measurement],
    onWritten: (hours) => marker.mark(hours),
  });
  cleanups.push(() => storage.stop());
  task = new RollupTask({
    influx,
    store,
    marker,
    sources: [source, gatewayLinkRollupSource],
    policy: rollupPolicy,
    timeZone: () => timeZone,
    zoneOf,
    rawRetentionDays: () => 400,
    batchHours: 20,
    now: () => now,
    log: silentLog,
  });
  // Chunks far shorter than the data (5 hours, one 12-hour window of days): every read below is several requests.
  reader = new RollupReader(influx, rollupPolicy, () => timeZone, { hour: 5 * hour, day: hour });

  await ensureRollupPolicy(influx, 3650, silentLog);
  await task.backfill();
  await task.settle();
  // Live data through the storage path: the summer-time day and the next.
  await throughStorage(readings(t0 + 24 * hour, now.getTime(), 2), links(t0 + 24 * hour, now.getTime(), 2));
  await task.settle();
  // Late readings into hours already rolled up, on both sides of the change to summer time.
  await throughStorage(
    [...readings(t0 + 5 * hour, t0 + 7 * hour, 3), ...readings(t0 + 25 * hour, t0 + 28 * hour, 4)],
    links(t0 + 25 * hour, t0 + 27 * hour, 3),
  );
  await task.settle();
}, 60_000);

describe('rollups on a real influxd', () => {
  const range = { from: new Date(t0 - 2 * hour), to: now };

  it('keeps hourly and daily aggregates in their own retention policy, one point per series and bucket', async () => {
    const [policies] = await influx.query('SHOW RETENTION POLICIES');
    const policy = policies?.[0]?.values.find((row) => row[0] === rollupPolicy);
    // Ten years in 52-week shard groups (name, duration, shardGroupDuration, ...).
    expect(policy?.slice(0, 3)).toEqual([rollupPolicy, '87600h0m0s', '8736h0m0s']);
    const [days] = await influx.query(
      `SELECT count("activePower_count") FROM "${rollupPolicy}"."${rollupMeasurement('streetlight', 'day')}" GROUP BY "device"`,
    );
    // Three local days, one point each, for every device.
    expect(days?.map((s) => s.values[0]?.[1])).toEqual(devices.map(() => 3));
  });

  for (const granularity of ['hour', 'day'] as const)
    for (const by of ['district', 'zone', 'device', 'all'] as const)
      it(`${granularity} by ${by}: every fn equals the figure from the raw readings`, async () => {
        for (const fn of aggregateFns) {
          const query: AggregateQuery = {
            kind: 'streetlight',
            metric: 'activePower',
            fn,
            granularity,
            by,
            ...range,
          };
          const rows = await reader.read(query);
          const want = expected(measuredReadings(query.metric), query);
          expect(want.length).toBeGreaterThan(granularity === 'hour' ? 60 : 2);
          expect(
            rows.map((r) => ({
              bucket: granularity === 'hour' ? r.start : localDate(Date.parse(r.start)),
              key: r.key,
              readings: r.readings,
            })),
          ).toEqual(want.map(({ bucket, key, readings }) => ({ bucket, key, readings })));
          rows.forEach((row, i) => {
            expect(row.value, `${fn} ${row.start} ${row.key}`).toBeCloseTo(want[i]?.value as number, 9);
            if (granularity === 'day') expect(localClock(Date.parse(row.start))).toBe('00:00');
          });
        }
      });

  it('a summer-time day sums 23 hours, and filters by district, zone and device agree with the raw readings', async () => {
    const dst = await reader.read({
      kind: 'streetlight',
      metric: 'voltage',
      fn: 'count',
      granularity: 'day',
      by: 'all',
      ...range,
    });
    expect(dst.map((r) => r.start)).toEqual([
      '2026-03-27T23:00:00.000Z',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ]);
    const filters = [{ district: 'Drahovice' }, { zone: zoneOf('lamp-1') }, { deviceId: 'lamp-3' }];
    for (const filter of filters)
      for (const granularity of ['hour', 'day'] as const) {
        const query: AggregateQuery = {
          kind: 'streetlight',
          metric: 'voltage',
          fn: 'mean',
          granularity,
          by: 'device',
          ...range,
          ...filter,
        };
        const rows = await reader.read(query);
        const want = expected(measuredReadings(query.metric), query);
        expect(rows.map((r) => [r.key, r.readings])).toEqual(want.map((w) => [w.key, w.readings]));
        for (const [i, row] of rows.entries()) expect(row.value).toBeCloseTo(want[i]?.value as number, 9);
      }
  });

  it("gateways' links by district and zone: every fn equals the figure from the raw points, hour and day", async () => {
    for (const granularity of ['hour', 'day'] as const)
      for (const by of ['district', 'zone'] as const)
        for (const fn of aggregateFns) {
          const metric = fn === 'min' || fn === 'count' ? 'sinr' : 'rsrp';
          const query: AggregateQuery = { kind: 'gateway_link', metric, fn, granularity, by, ...range };
          const rows = await reader.read(query);
          const want = expected(measuredLinks(metric), query);
          expect(want.length).toBeGreaterThan(2);
          expect(rows.map((r) => [r.key, r.readings])).toEqual(want.map((w) => [w.key, w.readings]));
          for (const [i, row] of rows.entries())
            expect(row.value, `${granularity} ${by} ${fn}`).toBeCloseTo(want[i]?.value as number, 9);
        }
  });

  it('leaves nothing dirty, and a round with nothing to do computes nothing', async () => {
    expect(await task.round()).toBe(0);
  });
});
