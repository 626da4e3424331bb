import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { planSeries } from '../cloud/dashboards/series-query.ts';
import { foldSeries, seriesAggregateQuery } from '../cloud/dashboards/series-resolution.ts';
import { cellOf } from '../cloud/geo/cells.ts';
import { DirtyMarker } from '../cloud/rollups/dirty-marker.ts';
import { MemoryDirtyHourStore } from '../cloud/rollups/memory-dirty-hours.ts';
import { combine, type PartialAggregate } from '../cloud/rollups/partials.ts';
import { RollupReader } from '../cloud/rollups/reader.ts';
import { ensureRollupPolicy, rollupPolicy } from '../cloud/rollups/rollup-policy.ts';
import { type RollupPoint, rollupLine } from '../cloud/rollups/rollup-queries.ts';
import { RollupTask } from '../cloud/rollups/rollup-task.ts';
import { numericMetrics, rawTags, rollupMeasurement } from '../cloud/rollups/sources.ts';
import { connectInflux, type InfluxConnection } from '../cloud/storage/influx.ts';
import type { Series } from '../cloud/storage/influxql.ts';
import { startLocalInfluxd } from '../cloud/storage/local-influxd.ts';
import { hourMs, localDayStart } from '../shared/local-time.ts';
import { onCleanup } from './cleanup.ts';
import { probeKind } from './readings.ts';
import { quantile, round, sleep } from './util.ts';

/**
 * A year of history for `devices` devices of the bench kind (bench/readings.ts): how long a year-long series and an open-data answer
 * (a district-by-day aggregate) take from raw readings and from the rollups, and the disk each needs.
 * Method: raw readings (two metrics) every `rawEveryMin` minutes for a year are generated and written
 * straight to InfluxDB, and the hourly and daily rollups of exactly those readings are computed in JS
 * and written beside them (what the rollup task would write, without a year of rounds); the task's own
 * speed is measured separately by recomputing a week from raw. See docs/benchmarks.md.
 */
export interface RollupsBenchOptions {
  dir: string;
  devices: number;
  rawEveryMin: number;
  say: (line: string) => void;
}

const timeZone = 'Europe/Prague';
/** The bench's kind (bench/readings.ts picks it) and two of its numeric metrics. */
const kind = probeKind.kind;
const fields = numericMetrics[kind].slice(0, 2) as [string, string];
const [metric, otherMetric] = fields;
const districts = ['Centre', 'Drahovice', 'Rybáře', 'Tašovice', 'Bohatice', 'Doubí', 'Stará Role', 'Sedlec'];
const yearStart = Date.parse('2025-01-01T00:00:00Z');
const yearEnd = Date.parse('2026-01-01T00:00:00Z');
const now = new Date(yearEnd);

const exec = promisify(execFile);
async function bytesOf(path: string): Promise<number> {
  try {
    const { stdout } = await exec('du', ['-sb', path]);
    return Number(stdout.split('\t')[0]);
  } catch {
    return 0;
  }
}

/**
 * The median of `runs` answers; a failed answer (the client's 10 s timeout on a busy machine, say)
 * ends the measurement with NaN and its error instead of ending the section.
 */
async function timed<T>(
  runs: number,
  fn: () => Promise<T>,
): Promise<{ ms: number; result?: T; error?: string }> {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    try {
      result = await fn();
    } catch (error) {
      return { ms: Number.NaN, error: (error as Error).message.slice(0, 200) };
    }
    times.push(performance.now() - started);
  }
  return { ms: quantile(times, 0.5), result };
}

/** Writes lines in batches, a few in flight. */
function batchWriter(influx: InfluxConnection, policy: string) {
  let pending: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const send = async (lines: string[]) => {
    const write = influx.writeInto(policy, lines).finally(() => inFlight.delete(write));
    inFlight.add(write);
    if (inFlight.size >= 3) await Promise.race(inFlight);
  };
  return {
    async add(line: string) {
      pending.push(line);
      if (pending.length >= 20_000) {
        const lines = pending;
        pending = [];
        await send(lines);
      }
    },
    async close() {
      if (pending.length > 0) await send(pending);
      await Promise.all(inFlight);
    },
  };
}

export async function rollupsBench(options: RollupsBenchOptions) {
  const { say, devices } = options;
  const influxd = await startLocalInfluxd(join(options.dir, 'influxdb'), { coldSnapshotS: 5 });
  onCleanup('rollups influxd', () => influxd.stop());
  const database = 'rollups_bench';
  const influx = await connectInflux({ url: influxd.url, token: '', database, org: '' });
  const log = pino({ level: 'silent' });
  await ensureRollupPolicy(influx, 3650, log);

  const fleet = Array.from({ length: devices }, (_, i) => ({
    id: `lamp-${String(i).padStart(6, '0')}`,
    district: districts[i % districts.length] as string,
    gateway: `gw-${Math.floor(i / 50)}`,
    location: { lat: 50.2 + ((i * 7919) % 1000) / 20_000, lon: 12.85 + ((i * 104_729) % 1000) / 10_000 },
  }));
  const zones = new Map(fleet.map((d) => [d.id, cellOf(d.location)]));
  const stepMs = options.rawEveryMin * 60_000;
  say(
    `(rollups) writing a year of raw readings (${devices} devices, one every ${options.rawEveryMin} min) and their rollups`,
  );
  const started = performance.now();
  const raw = batchWriter(influx, 'autogen');
  const hourly = batchWriter(influx, rollupPolicy);
  const daily = batchWriter(influx, rollupPolicy);
  let rawPoints = 0;
  let hourPoints = 0;
  let dayPoints = 0;
  // Time outside, devices inside: each batch lands in one shard group, as live data does.
  const state = fleet.map((device) => ({
    head: `${kind},device=${device.id},district=${device.district.replace(/ /g, '\\ ')},gateway=${device.gateway},kind=${kind}`,
    tags: {
      device: device.id,
      district: device.district,
      gateway: device.gateway,
      kind,
      zone: zones.get(device.id) as string,
    },
    hour: undefined as RollupPoint | undefined,
    day: undefined as RollupPoint | undefined,
  }));
  const fold = (
    point: RollupPoint | undefined,
    time: number,
    tags: Record<string, string>,
    values: Record<string, number>,
  ) => {
    const next: RollupPoint = point && point.time === time ? point : { time, tags, partials: {} };
    for (const [f, v] of Object.entries(values)) {
      const p: PartialAggregate = { sum: v, count: 1, min: v, max: v };
      next.partials[f] = next.partials[f] ? combine(next.partials[f] as PartialAggregate, p) : p;
    }
    return next;
  };
  const hourName = rollupMeasurement(kind, 'hour');
  const dayName = rollupMeasurement(kind, 'day');
  let dayOfHour = { hour: -1, day: 0 };
  let seed = 42;
  const noise = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let slot = yearStart; slot < yearEnd; slot += stepMs) {
    const h = Math.floor(slot / hourMs) * hourMs;
    if (h !== dayOfHour.hour) dayOfHour = { hour: h, day: localDayStart(h, timeZone) };
    const on = new Date(slot).getUTCHours() < 6 || new Date(slot).getUTCHours() >= 17;
    for (const [i, device] of state.entries()) {
      // Each device a few seconds after the slot: stays in the slot's hour.
      const t = slot + (i % 60) * 1000;
      // Noisy like a meter (two decimals): regular values would compress far better than real ones.
      const values = {
        [metric]: on ? Math.round((38 + noise() * 6) * 100) / 100 : Math.round(noise() * 100) / 100,
        [otherMetric]: Math.round((226 + noise() * 8) * 100) / 100,
      };
      await raw.add(`${device.head} ${metric}=${values[metric]},${otherMetric}=${values[otherMetric]} ${t}`);
      rawPoints++;
      if (device.hour && device.hour.time !== h) {
        await hourly.add(rollupLine(hourName, device.hour));
        hourPoints++;
      }
      device.hour = fold(device.hour, h, device.tags, values);
      if (device.day && device.day.time !== dayOfHour.day) {
        await daily.add(rollupLine(dayName, device.day));
        dayPoints++;
      }
      device.day = fold(device.day, dayOfHour.day, device.tags, values);
    }
  }
  for (const device of state) {
    if (device.hour) await hourly.add(rollupLine(hourName, device.hour));
    if (device.day) await daily.add(rollupLine(dayName, device.day));
    hourPoints++;
    dayPoints++;
  }
  await Promise.all([raw.close(), hourly.close(), daily.close()]);
  const writeS = (performance.now() - started) / 1000;
  say(
    `(rollups) ${rawPoints} raw, ${hourPoints} hourly and ${dayPoints} daily points written in ${writeS.toFixed(0)} s`,
  );

  // A year-old history is in compacted TSM files, not in influxd's write cache: wait for the snapshot.
  const walDir = join(options.dir, 'influxdb', 'wal', database);
  for (let waited = 0; waited < 120 && (await bytesOf(walDir)) > 1_000_000; waited++) await sleep(1000);
  const reader = new RollupReader(influx, rollupPolicy, () => timeZone);
  /** Raw answers can outlast the client's 10 s timeout: asked over plain HTTP, however long they take. */
  const rawSelect = async (q: string): Promise<Series[]> => {
    const params = new URLSearchParams({ db: database, q, epoch: 'ms' });
    const body = (await (await fetch(`${influxd.url}/query?${params}`)).json()) as {
      results?: { series?: Series[]; error?: string }[];
    };
    const result = body.results?.[0];
    if (result?.error) throw new Error(`${result.error} (query: ${q})`);
    return result?.series ?? [];
  };
  const range = { from: new Date(yearStart), to: new Date(yearEnd) };
  const request = { kind, metric, fn: 'mean', ...range } as const;
  const runs = 3;
  const seriesRaw = await timed(runs, async () => {
    const plan = planSeries({ ...request, everyMs: 86_400_000 }, 2_000);
    return (await rawSelect(plan.influxql))[0]?.values.length ?? 0;
  });
  const seriesDay = await timed(runs, async () => {
    const query = seriesAggregateQuery({ ...request, everyMs: 86_400_000 }, 'day', timeZone);
    const rows = await reader.partials(query);
    const fold = {
      fn: 'mean',
      resolution: 'day',
      everyMs: 86_400_000,
      firstDay: query.from.getTime(),
      timeZone,
    } as const;
    return foldSeries(rows, fold).length;
  });
  const seriesRaw6h = await timed(runs, async () => {
    const plan = planSeries({ ...request, everyMs: 6 * hourMs }, 2_000);
    return (await rawSelect(plan.influxql))[0]?.values.length ?? 0;
  });
  const seriesHour6h = await timed(runs, async () => {
    const query = seriesAggregateQuery({ ...request, everyMs: 6 * hourMs }, 'hour', timeZone);
    const fold = { fn: 'mean', resolution: 'hour', everyMs: 6 * hourMs, firstDay: 0, timeZone } as const;
    return foldSeries(await reader.partials(query, 6 * hourMs), fold).length;
  });
  const openRaw = await timed(runs, async () => {
    const series = await rawSelect(
      `SELECT mean("${metric}") FROM "${kind}" WHERE time >= ${yearStart}ms AND time < ${yearEnd}ms GROUP BY time(1d), "district" fill(none) tz('${timeZone}')`,
    );
    return series.reduce((n, s) => n + s.values.length, 0);
  });
  const openRollups = await timed(runs, async () => {
    const rows = await reader.read({ ...request, granularity: 'day', by: 'district' });
    return rows.length;
  });
  say(
    `(rollups) year-long series by day: raw ${seriesRaw.ms.toFixed(0)} ms, rollups ${seriesDay.ms.toFixed(0)} ms; by 6 h: raw ${seriesRaw6h.ms.toFixed(0)} ms, rollups ${seriesHour6h.ms.toFixed(0)} ms; open data district by day: raw ${openRaw.ms.toFixed(0)} ms, rollups ${openRollups.ms.toFixed(0)} ms`,
  );

  // The rollup task itself: a week of hours recomputed from raw (what a backfill does, hour by hour).
  const store = new MemoryDirtyHourStore();
  const task = new RollupTask({
    influx,
    store,
    marker: new DirtyMarker(store),
    sources: [{ measurement: kind, fields, tags: rawTags }],
    policy: rollupPolicy,
    timeZone: () => timeZone,
    zoneOf: (id) => zones.get(id),
    rawRetentionDays: () => 400,
    batchHours: 48,
    now: () => now,
    log,
  });
  const weekHours = Array.from({ length: 168 }, (_, i) => ({
    measurement: kind,
    hour: yearEnd - (i + 1) * hourMs,
  }));
  await store.mark(weekHours);
  const computeStarted = performance.now();
  await task.settle();
  const hoursPerS = weekHours.length / ((performance.now() - computeStarted) / 1000);
  say(
    `(rollups) the task recomputes ${hoursPerS.toFixed(1)} hours/s of ${devices} devices (a year: ~${(8760 / hoursPerS / 60).toFixed(0)} min)`,
  );

  const dataDir = join(options.dir, 'influxdb');
  const onDisk = async (policy: string) =>
    (await bytesOf(join(dataDir, 'data', database, policy))) +
    (await bytesOf(join(dataDir, 'wal', database, policy)));
  const storage = { rawBytes: await onDisk('autogen'), rollupBytes: await onDisk(rollupPolicy) };
  say(
    `(rollups) on disk: raw ${(storage.rawBytes / 2 ** 20).toFixed(1)} MB, hourly + daily rollups ${(storage.rollupBytes / 2 ** 20).toFixed(1)} MB`,
  );
  await influxd.stop();
  return {
    devices,
    rawEveryMin: options.rawEveryMin,
    points: { raw: rawPoints, hourly: hourPoints, daily: dayPoints },
    writeS: round(writeS),
    errors: [seriesRaw, seriesDay, seriesRaw6h, seriesHour6h, openRaw, openRollups].flatMap(
      (t) => t.error ?? [],
    ),
    seriesYearByDayMs: { raw: round(seriesRaw.ms), rollups: round(seriesDay.ms), buckets: seriesDay.result },
    seriesYearBy6hMs: {
      raw: round(seriesRaw6h.ms),
      rollups: round(seriesHour6h.ms),
      buckets: seriesHour6h.result,
    },
    openDataDistrictByDayMs: {
      raw: round(openRaw.ms),
      rollups: round(openRollups.ms),
      rows: openRollups.result,
      rawRows: openRaw.result,
    },
    taskHoursPerS: round(hoursPerS),
    storage,
  };
}
export type RollupsBenchResult = Awaited<ReturnType<typeof rollupsBench>>;
