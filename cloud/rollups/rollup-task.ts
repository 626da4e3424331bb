import type { Logger } from 'pino';
import { hourMs, nextLocalDay } from '../../shared/local-time.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import { quoteIdent } from '../storage/influxql.ts';
import { daysOf, hourStart, hoursBetween } from './buckets.ts';
import type { DirtyHour, DirtyHourStore } from './dirty-hours.ts';
import type { DirtyMarker } from './dirty-marker.ts';
import {
  hoursToDayQuery,
  type RollupPoint,
  rawHoursQuery,
  replaceBuckets,
  toRollupPoints,
} from './rollup-queries.ts';
import { type RollupSource, rollupMeasurement } from './sources.ts';

export interface RollupTaskDeps {
  influx: InfluxConnection;
  store: DirtyHourStore;
  marker: DirtyMarker;
  sources: readonly RollupSource[];
  /** The retention policy the rollups are written to. */
  policy: string;
  /** The tenant's time zone: its local days. */
  timeZone: () => string;
  /** A device's map cell, for the `zone` tag (undefined without a location). */
  zoneOf: (deviceId: string) => string | undefined;
  /** How long raw readings are kept: older hours cannot be recomputed (their raw points may be gone). */
  rawRetentionDays: () => number;
  /** Dirty hours computed per round. */
  batchHours: number;
  now: () => Date;
  log: Logger;
}

/** Contiguous hours of one measurement computed by one query, at most a day of them. */
const maxRunHours = 24;

/**
 * Recomputes dirty hours from the raw readings (InfluxQL grouped by the device tags, the zone added
 * from the registry), then the local days that hold them from the hours, and clears their marks.
 * Idempotent: a late reading re-dirties its hour and the next round folds it in. `backfill()` marks
 * every past hour of the raw readings (first start with rollups enabled) or the hours since the last
 * round (a restart, or rollups disabled for a while).
 */
export class RollupTask {
  private readonly deps: RollupTaskDeps;
  private readonly sources: Map<string, RollupSource>;

  constructor(deps: RollupTaskDeps) {
    this.deps = deps;
    this.sources = new Map(deps.sources.map((s) => [s.measurement, s]));
  }

  /** Marks what has not been rolled up: all past hours the first time, the gap since the last round after. */
  async backfill(): Promise<void> {
    const { store, log } = this.deps;
    const state = await store.readState();
    const now = this.deps.now().getTime();
    const horizon = this.horizon(now);
    if (state.backfill === undefined) {
      let hours = 0;
      for (const source of this.sources.values()) {
        const first = await this.firstPoint(source);
        if (first === undefined) continue;
        const marks = hoursBetween(Math.max(first, horizon), now + 1).map((hour) => ({
          measurement: source.measurement,
          hour,
        }));
        await store.mark(marks);
        hours += marks.length;
      }
      const startedAt = new Date(now).toISOString();
      await store.writeState({ lastHour: hourStart(now), backfill: { hours, startedAt } });
      if (hours > 0) log.info({ hours }, `rollups: backfilling ${hours} past hours of raw readings`);
      return;
    }
    if (state.lastHour !== undefined && state.lastHour < hourStart(now)) {
      const gap = hoursBetween(Math.max(state.lastHour, horizon), now + 1);
      await store.mark(
        [...this.sources.keys()].flatMap((measurement) => gap.map((hour) => ({ measurement, hour }))),
      );
      await store.writeState({ ...state, lastHour: hourStart(now) });
      log.info({ hours: gap.length }, 'rollups: marked the hours since the last round');
    }
  }

  /** Computes up to `batchHours` dirty hours and their days; returns how many hours it took. */
  async round(): Promise<number> {
    const taken = await this.deps.store.dirty(this.deps.batchHours);
    await this.compute(taken);
    return taken.length;
  }

  /**
   * Computes every hour dirty now, `batchHours` at a time (tests, the bench, `Cloud.flush`). Hours
   * marked meanwhile wait for the next round: under a steady stream of readings, "until none is
   * dirty" would never end.
   */
  async settle(): Promise<void> {
    const pending = await this.deps.store.dirty(Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < pending.length; i += this.deps.batchHours)
      await this.compute(pending.slice(i, i + this.deps.batchHours));
  }

  private async compute(taken: DirtyHour[]): Promise<void> {
    if (taken.length === 0) return;
    const { store, marker } = this.deps;
    marker.taken(taken);
    const horizon = this.horizon(this.deps.now().getTime());
    const computable = taken.filter((h) => h.hour >= horizon && this.sources.has(h.measurement));
    for (const [measurement, hours] of groupBy(computable)) {
      const source = this.sources.get(measurement) as RollupSource;
      for (const run of runsOf(hours))
        await this.computeHours(source, run[0] as number, (run.at(-1) as number) + hourMs);
      const tz = this.deps.timeZone();
      for (const day of daysOf(hours, tz)) await this.computeDay(source, day, nextLocalDay(day, tz));
    }
    await store.clear(taken);
    await this.progress();
  }

  private async computeHours(source: RollupSource, from: number, to: number): Promise<void> {
    const { influx, policy } = this.deps;
    const points = toRollupPoints(await influx.select(rawHoursQuery(source, from, to)), source.fields).map(
      (point) => (source.tags.includes('zone') ? point : this.withZone(point)),
    );
    const measurement = rollupMeasurement(source.measurement, 'hour');
    await replaceBuckets(influx, policy, measurement, { from, to, oneBucket: false }, points);
  }

  private async computeDay(source: RollupSource, from: number, to: number): Promise<void> {
    const { influx, policy } = this.deps;
    const series = await influx.select(hoursToDayQuery(source, policy, from, to));
    const points = toRollupPoints(series, source.fields, from);
    const measurement = rollupMeasurement(source.measurement, 'day');
    await replaceBuckets(influx, policy, measurement, { from, to, oneBucket: true }, points);
  }

  /** A kind's point: the zone of its device's place in the registry. */
  private withZone(point: RollupPoint): RollupPoint {
    const zone = point.tags.device ? this.deps.zoneOf(point.tags.device) : undefined;
    return { ...point, tags: { ...point.tags, zone: zone ?? '' } };
  }

  /** The oldest hour whose raw points are surely all still there. */
  private horizon(now: number): number {
    return hourStart(now - this.deps.rawRetentionDays() * 24 * hourMs) + hourMs;
  }

  /** The time of the oldest raw point of a source (the earliest first() of its fields). */
  private async firstPoint(source: RollupSource): Promise<number | undefined> {
    const statements = source.fields.map(
      (f) => `SELECT first(${quoteIdent(f)}) FROM ${quoteIdent(source.measurement)}`,
    );
    if (statements.length === 0) return undefined;
    const results = await this.deps.influx.query(statements.join('; '));
    const times = results.flatMap((series) => series.flatMap((s) => s.values.map((row) => Number(row[0]))));
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** While a backfill runs, says how far it got; once nothing is dirty, that it is done. */
  private async progress(): Promise<void> {
    const { store, log } = this.deps;
    const state = await store.readState();
    const now = this.deps.now();
    const update = { ...state, lastHour: hourStart(now.getTime()) };
    const backfill = state.backfill;
    if (backfill && backfill.done === undefined && backfill.hours > 0) {
      const left = await store.count();
      if (left === 0) {
        update.backfill = { ...backfill, done: now.toISOString() };
        log.info({ hours: backfill.hours }, 'rollups: backfill done');
      } else
        log.info(
          { left, hours: backfill.hours },
          `rollups: backfill, ${left} of ${backfill.hours} hours left`,
        );
    }
    if (update.lastHour !== state.lastHour || update.backfill !== state.backfill)
      await store.writeState(update);
  }
}

function groupBy(hours: readonly DirtyHour[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const { measurement, hour } of hours) {
    const list = groups.get(measurement) ?? [];
    list.push(hour);
    groups.set(measurement, list);
  }
  return groups;
}

/** Sorted hours cut into runs of contiguous hours, each at most `maxRunHours` long. */
export function runsOf(hours: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const hour of [...hours].sort((a, b) => a - b)) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last === hour - hourMs && run.length < maxRunHours) run.push(hour);
    else runs.push([hour]);
  }
  return runs;
}
