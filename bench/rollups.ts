import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { planSeries } from '../cloud/dashboards/series-query.ts';
import { foldSeries, seriesAggregateQuery } from '../cloud/dashboards/series-resolution.ts';
import type { AggregateQuery } from '../cloud/rollups/aggregates.ts';
import { DirtyMarker } from '../cloud/rollups/dirty-marker.ts';
import { MemoryDirtyHourStore } from '../cloud/rollups/memory-dirty-hours.ts';
import { defaultChunkSpans, RollupReader } from '../cloud/rollups/reader.ts';
import { ensureRollupPolicy, rollupPolicy } from '../cloud/rollups/rollup-policy.ts';
import { RollupTask } from '../cloud/rollups/rollup-task.ts';
import { numericMetrics, rawTags } from '../cloud/rollups/sources.ts';
import { connectInflux } from '../cloud/storage/influx.ts';
import type { Series } from '../cloud/storage/influxql.ts';
import { startLocalInfluxd } from '../cloud/storage/local-influxd.ts';
import { hourMs } from '../shared/local-time.ts';
import { onCleanup } from './cleanup.ts';
import type { BenchOptions } from './options.ts';
import { districts, kind, timeZone, writeHistory, yearEnd, yearStart } from './rollups-history.ts';
import { int, quantile, sleep } from './util.ts';

/**
 * A year of hourly history for `devices` devices (issue 15: 10,000): how long the series and
 * open-data answers take from the rollups and from raw readings, and the disk each needs. The rollups
 * of the whole fleet are written; raw readings only for `rawDevices` of them (a year of raw for
 * 10,000 devices is 350 M points at one per 15 minutes, hours of writing on this machine), so the raw
 * answers that grow with the devices asked about, and raw's disk, are scaled to the fleet linearly
 * and labelled so. See bench/rollups-history.ts and docs/benchmarks.md.
 */
export interface RollupsBenchOptions {
  dir: string;
  devices: number;
  rawDevices: number;
  rawEveryMin: number;
  /** Each answer is asked this many times: median and p95 of them. */
  runs: number;
  /** The rollups' shard group duration when not the platform's (an experiment: `7d`). */
  shard?: string;
  say: (line: string) => void;
}

/** The section's options from the bench's flags. */
export function rollupsOptions(
  options: BenchOptions,
  dir: string,
  say: (line: string) => void,
): RollupsBenchOptions {
  return {
    dir,
    devices: options.rollupDevices,
    rawDevices: options.rollupRawDevices,
    rawEveryMin: options.rollupRawEveryMin,
    runs: options.rollupRuns,
    shard: options.rollupShard,
    say,
  };
}

const fields = numericMetrics[kind].slice(0, 2) as [string, string];
const [metric] = fields;
const dayMs = 24 * hourMs;
/** One decimal (NaN stays NaN: null in the JSON). */
const tenth = (n: number) => Math.round(n * 10) / 10;

const exec = promisify(execFile);
async function bytesOf(path: string): Promise<number> {
  try {
    return Number((await exec('du', ['-sb', path])).stdout.split('\t')[0]);
  } catch {
    return 0;
  }
}

/** Whether influxd is compacting: its .tsm.tmp files, anywhere under `dir`. */
async function compacting(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.some((name) => name.endsWith('.tmp'));
}

interface Timing {
  medianMs: number;
  p95Ms: number;
  runsMs: number[];
  /** What the answer held (buckets or rows), from its last run. */
  size?: number;
  error?: string;
}

/** `runs` answers one after the other; a failed one ends the measurement with its error, not the section. */
async function timed(runs: number, fn: () => Promise<number>): Promise<Timing> {
  const runsMs: number[] = [];
  let size: number | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    try {
      size = await fn();
    } catch (error) {
      return {
        medianMs: Number.NaN,
        p95Ms: Number.NaN,
        runsMs,
        error: (error as Error).message.slice(0, 300),
      };
    }
    runsMs.push(tenth(performance.now() - started));
  }
  return { medianMs: tenth(quantile(runsMs, 0.5)), p95Ms: tenth(quantile(runsMs, 0.95)), runsMs, size };
}

export async function rollupsBench(options: RollupsBenchOptions) {
  const { say, devices, runs } = options;
  const rawDevices = Math.min(options.rawDevices, devices);
  const load: number[] = [];
  const loadTimer = setInterval(() => load.push(loadavg()[0] as number), 15_000);
  onCleanup('rollups load sampling', () => clearInterval(loadTimer));
  load.push(loadavg()[0] as number);
  const dataDir = join(options.dir, 'influxdb');
  const influxd = await startLocalInfluxd(dataDir, { coldSnapshotS: 5 });
  onCleanup('rollups influxd', () => influxd.stop());
  const database = 'rollups_bench';
  const influx = await connectInflux({ url: influxd.url, token: '', database, org: '' });
  const log = pino({ level: 'silent' });
  await ensureRollupPolicy(influx, 3650, log);
  if (options.shard)
    await influx.query(
      `ALTER RETENTION POLICY "${rollupPolicy}" ON "${database}" SHARD DURATION ${options.shard}`,
      'POST',
    );
  const [policies] = await influx.query(`SHOW RETENTION POLICIES ON "${database}"`);
  const shardGroups = Object.fromEntries(
    (policies?.[0]?.values ?? []).map((row) => [String(row[0]), String(row[2])]),
  );
  say(`(rollups) shard group duration: raw ${shardGroups.autogen}, rollups ${shardGroups[rollupPolicy]}`);

  const history = await writeHistory({
    url: influxd.url,
    database,
    devices,
    rawDevices,
    rawEveryMin: options.rawEveryMin,
    fields,
    say,
  });

  // A year-old history is in compacted TSM files, not in influxd's write cache: wait for the snapshot
  // and for the full compactions (shards cold for 5 s), at most 15 minutes.
  const settleStarted = performance.now();
  let stable = 0;
  let last = -1;
  while (stable < 4 && performance.now() - settleStarted < 900_000) {
    await sleep(5_000);
    const size = await bytesOf(dataDir);
    const busy = (await bytesOf(join(dataDir, 'wal', database))) > 1_000_000 || (await compacting(dataDir));
    stable = !busy && size === last ? stable + 1 : 0;
    last = size;
  }
  const settleS = tenth((performance.now() - settleStarted) / 1000);
  say(
    `(rollups) influxd settled (snapshots and compactions) after ${settleS} s${stable < 4 ? ': gave up waiting' : ''}`,
  );
  const onDisk = async (policy: string) =>
    (await bytesOf(join(dataDir, 'data', database, policy))) +
    (await bytesOf(join(dataDir, 'wal', database, policy)));
  const storage = { rawBytes: await onDisk('autogen'), rollupBytes: await onDisk(rollupPolicy) };
  const rawScale = devices / rawDevices;
  say(
    `(rollups) on disk: rollups ${(storage.rollupBytes / 2 ** 20).toFixed(1)} MB (${int(devices)} devices); raw ${(storage.rawBytes / 2 ** 20).toFixed(1)} MB (${int(rawDevices)} devices; ×${tenth(rawScale)}: ${((storage.rawBytes * rawScale) / 2 ** 20).toFixed(0)} MB)`,
  );

  // As the platform reads (cloud/rollups/feature.ts): a request's span sized to the devices it covers.
  const devicesIn = (query: AggregateQuery) =>
    query.district === undefined
      ? history.fleet.length
      : history.fleet.filter((d) => d.district === query.district).length;
  const reader = new RollupReader(influx, rollupPolicy, () => timeZone, defaultChunkSpans, devicesIn);
  /** Raw answers asked over plain HTTP with no timeout: the bench wants their time, however long. */
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
  const district = districts[0] as string;
  const deviceId = history.fleet[0]?.id as string;
  const inDistrict = (fleet: typeof history.fleet) => fleet.filter((d) => d.district === district).length;
  const districtScale = inDistrict(history.fleet) / inDistrict(history.fleet.slice(0, rawDevices));
  /** What the series API does (cloud/api/dashboards.ts): raw InfluxQL, or the rollups folded into buckets. */
  const series = (
    everyMs: number,
    filter: { deviceId?: string; district?: string },
    rollupReader = reader,
  ) => {
    const request = { kind, metric, fn: 'mean', ...range, everyMs, ...filter } as const;
    const resolution = everyMs % dayMs === 0 ? 'day' : 'hour';
    return {
      raw: async () => (await rawSelect(planSeries(request, 2_000).influxql))[0]?.values.length ?? 0,
      rollups: async () => {
        const query = seriesAggregateQuery(request, resolution, timeZone);
        const rows = await rollupReader.partials(query, resolution === 'hour' ? everyMs : undefined);
        const fold = { fn: 'mean', resolution, everyMs, firstDay: query.from.getTime(), timeZone } as const;
        return foldSeries(rows, fold).length;
      },
    };
  };
  const answers = [
    { name: 'series, one device, a year by day', scale: 1, ...series(dayMs, { deviceId }) },
    { name: 'series, one device, a year by 6 h', scale: 1, ...series(6 * hourMs, { deviceId }) },
    {
      name: `series, one district (${district}), a year by day`,
      scale: districtScale,
      ...series(dayMs, { district }),
    },
    {
      name: `series, one district (${district}), a year by 6 h`,
      scale: districtScale,
      ...series(6 * hourMs, { district }),
    },
    { name: 'series, the whole fleet, a year by 6 h', scale: rawScale, ...series(6 * hourMs, {}) },
    {
      name: 'open data: mean per district and day, a year',
      scale: rawScale,
      raw: async () =>
        (
          await rawSelect(
            `SELECT mean("${metric}") FROM "${kind}" WHERE time >= ${yearStart}ms AND time < ${yearEnd}ms GROUP BY time(1d), "district" fill(none) tz('${timeZone}')`,
          )
        ).reduce((n, s) => n + s.values.length, 0),
      rollups: async () =>
        (await reader.read({ kind, metric, fn: 'mean', ...range, granularity: 'day', by: 'district' }))
          .length,
    },
  ];
  const measured = [];
  for (const answer of answers) {
    const rollups = await timed(runs, answer.rollups);
    const raw = await timed(runs, answer.raw);
    const scaled = { medianMs: tenth(raw.medianMs * answer.scale), p95Ms: tenth(raw.p95Ms * answer.scale) };
    say(
      `(rollups) ${answer.name}: rollups ${rollups.medianMs} ms (p95 ${rollups.p95Ms}, ${rollups.size} buckets); raw ${raw.medianMs} ms (p95 ${raw.p95Ms}) at ${rawDevices} devices${answer.scale === 1 ? '' : `, ×${tenth(answer.scale)} → ~${scaled.medianMs} ms`}${(rollups.error ?? raw.error) ? `; error: ${rollups.error ?? raw.error}` : ''}`,
    );
    measured.push({
      name: answer.name,
      oneDevice: answer.name.includes('one device'),
      rollups,
      raw,
      rawScale: answer.scale,
      rawScaled: scaled,
    });
  }
  // The heaviest answer as the reader asked it before it read in chunks: one request for the year.
  const oneRequest = new RollupReader(influx, rollupPolicy, () => timeZone, {
    hour: Number.POSITIVE_INFINITY,
    day: Number.POSITIVE_INFINITY,
  });
  const unchunked = await timed(runs, series(6 * hourMs, {}, oneRequest).rollups);
  say(
    `(rollups) the whole fleet, a year by 6 h, in one request (no chunks): ${unchunked.medianMs} ms (p95 ${unchunked.p95Ms})${unchunked.error ? `; error: ${unchunked.error}` : ''}`,
  );

  // The rollup task recomputing a week from raw: only where every device has raw readings (elsewhere
  // the task would delete the rollups of the devices without raw, as it should).
  let taskHoursPerS: number | undefined;
  if (rawDevices === devices) {
    const store = new MemoryDirtyHourStore();
    const zones = new Map(history.fleet.map((d) => [d.id, d.zone]));
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
      now: () => new Date(yearEnd),
      log,
    });
    await store.mark(
      Array.from({ length: 168 }, (_, i) => ({ measurement: kind, hour: yearEnd - (i + 1) * hourMs })),
    );
    const started = performance.now();
    await task.settle();
    taskHoursPerS = tenth(168 / ((performance.now() - started) / 1000));
    say(`(rollups) the task recomputes ${taskHoursPerS} hours/s of ${devices} devices`);
  }
  await influxd.stop();
  clearInterval(loadTimer);
  load.push(loadavg()[0] as number);
  return {
    devices,
    rawDevices,
    rawEveryMin: options.rawEveryMin,
    runs,
    shardGroups,
    points: history.points,
    writeS: tenth(history.writeS),
    settleS,
    settled: stable >= 4,
    answers: measured,
    wholeFleetOneRequest: unchunked,
    storage: { ...storage, rawBytesScaled: Math.round(storage.rawBytes * rawScale) },
    taskHoursPerS,
    loadAverage1m: {
      min: tenth(Math.min(...load)),
      median: tenth(quantile(load, 0.5)),
      max: tenth(Math.max(...load)),
    },
  };
}
export type RollupsBenchResult = Awaited<ReturnType<typeof rollupsBench>>;

const ms = (t: Timing) =>
  t.error ? `failed: ${t.error.slice(0, 80)}` : `${int(t.medianMs)} / ${int(t.p95Ms)} ms`;

/** The section's table, in Markdown (docs/benchmarks.md takes it as is). No targets: the issue gives none. */
export function printRollups(r: RollupsBenchResult): void {
  const mbOf = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  console.log(
    `\nRollups: a year (2025) of ${int(r.devices)} devices; raw every ${r.rawEveryMin} min for ${int(r.rawDevices)} of them; shard groups: raw ${r.shardGroups.autogen}, rollups ${r.shardGroups[rollupPolicy]}; median / p95 of ${r.runs} runs`,
  );
  console.log(
    `\n| answer | rollups (${int(r.devices)} devices) | raw (${int(r.rawDevices)} devices) | raw at ${int(r.devices)} devices |\n| --- | --- | --- | --- |`,
  );
  for (const a of r.answers) {
    const scaled = a.oneDevice
      ? 'same (one device)'
      : a.rawScale === 1
        ? 'measured (every device has raw)'
        : `~${int(a.rawScaled.medianMs)} / ${int(a.rawScaled.p95Ms)} ms (extrapolated ×${tenth(a.rawScale)})`;
    console.log(`| ${a.name} | ${ms(a.rollups)} | ${ms(a.raw)} | ${a.raw.error ? '-' : scaled} |`);
  }
  console.log(
    `| series, the whole fleet, a year by 6 h, in one request (the reader before chunks) | ${ms(r.wholeFleetOneRequest)} | | |`,
  );
  console.log(
    `\n| storage | rollups (hourly + daily) | raw |\n| --- | --- | --- |\n| on disk (data + wal) | ${mbOf(r.storage.rollupBytes)} (${int(r.devices)} devices) | ${mbOf(r.storage.rawBytes)} (${int(r.rawDevices)} devices)${r.rawDevices === r.devices ? '' : `; ~${mbOf(r.storage.rawBytesScaled)} at ${int(r.devices)} (extrapolated)`} |`,
  );
  console.log(
    `\nwritten: ${int(r.points.hourly)} hourly, ${int(r.points.daily)} daily, ${int(r.points.raw)} raw points in ${int(r.writeS)} s; settled after ${r.settleS} s${r.settled ? '' : ' (gave up waiting)'}; load average (1 min) ${r.loadAverage1m.min}–${r.loadAverage1m.max}, median ${r.loadAverage1m.median}${r.taskHoursPerS === undefined ? '' : `; the task recomputes ${r.taskHoursPerS} hours/s`}\n`,
  );
}
