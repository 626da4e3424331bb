import { hourMs, localDayStart } from '../../shared/local-time.ts';
import { InvalidRequestError } from '../errors/domain-error.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import { quoteIdent, quoteString, type Series } from '../storage/influxql.ts';
import type { AggregateFn, AggregateQuery, AggregateReader, AggregateRow } from './aggregates.ts';
import { aggregateValue, type PartialAggregate, PartialTable } from './partials.ts';
import { partField, rolledUpMetrics, rollupMeasurement } from './sources.ts';

/** A bucket of a group and the partial of the readings in it. */
export interface PartialRow {
  start: number;
  key: string;
  partial: PartialAggregate;
}

/** The tag each grouping groups by. */
const groupTag = { district: 'district', zone: 'zone', device: 'device', all: undefined } as const;

/** The query's metric, checked against the kind's numeric metrics (the only names that reach InfluxQL). */
function checkedMetric(query: Pick<AggregateQuery, 'kind' | 'metric'>): string {
  const metrics = rolledUpMetrics[query.kind];
  if (!metrics.includes(query.metric))
    throw new InvalidRequestError(`${query.metric} is not a numeric metric of ${query.kind}`, {
      errors: [{ path: 'metric', message: `one of ${metrics.join(', ')}` }],
    });
  return query.metric;
}

/** The parts of a partial each fn needs (the count always: it is the rows' `readings`). */
const partsFor: Record<AggregateFn, readonly ('sum' | 'count' | 'min' | 'max')[]> = {
  mean: ['sum', 'count'],
  sum: ['sum', 'count'],
  count: ['count'],
  min: ['min', 'count'],
  max: ['max', 'count'],
};
const combineOf = { sum: 'sum', count: 'sum', min: 'min', max: 'max' } as const;

/**
 * Daily points sit at local midnights, at least 23 hours apart: windows of 12 hours hold at most one
 * day each, whatever the zone's offset (and a year is 730 windows, not the 8,760 of one-hour ones).
 */
export const dayWindowMs = 12 * hourMs;

/**
 * The InfluxQL that reads the partials of a query from the rollups in `policy`: only the parts its fn
 * needs. Hourly partials may be read in coarser buckets (`hoursMs`, whole hours from the epoch) for a
 * caller that folds them further.
 */
export function rollupPartialsQuery(query: AggregateQuery, policy: string, hoursMs = hourMs): string {
  const metric = checkedMetric(query);
  const columns = partsFor[query.fn].map(
    (part) => `${combineOf[part]}(${quoteIdent(partField(metric, part))}) AS ${quoteIdent(part)}`,
  );
  const where = [`time >= ${query.from.getTime()}ms`, `time < ${query.to.getTime()}ms`];
  if (query.district !== undefined) where.push(`"district" = ${quoteString(query.district)}`);
  if (query.zone !== undefined) where.push(`"zone" = ${quoteString(query.zone)}`);
  if (query.deviceId !== undefined) where.push(`"device" = ${quoteString(query.deviceId)}`);
  const window = query.granularity === 'hour' ? hoursMs : dayWindowMs;
  const groups = [`time(${window / hourMs}h)`];
  const tag = groupTag[query.by];
  if (tag) groups.push(quoteIdent(tag));
  return (
    `SELECT ${columns.join(', ')} ` +
    `FROM ${quoteIdent(policy)}.${quoteIdent(rollupMeasurement(query.kind, query.granularity))} ` +
    `WHERE ${where.join(' AND ')} GROUP BY ${groups.join(', ')} fill(none)`
  );
}

/** The longest span one InfluxDB request of the reader covers, per granularity (see `timeChunks`). */
export interface ChunkSpans {
  hour: number;
  day: number;
}

/**
 * A month per request, hourly or daily: at most five of the rollups' 7-day shard groups, each of
 * which InfluxDB 1.x reads with a cursor per series and field. A year of a 1,000-device fleet's days
 * by district in one request passed the client's 10 s timeout on a busy 2-core machine; a month of
 * it did not (docs/benchmarks.md, issue 15).
 */
export const defaultChunkSpans: ChunkSpans = { hour: 31 * 24 * hourMs, day: 31 * 24 * hourMs };

/**
 * Points one request may read, when the reader knows how many series (devices, gateways) a query
 * covers: a month of a 10,000-device fleet's hours (7.4 M points) passed the client's 10 s timeout on
 * the 2-core bench machine, where a district's month (0.9 M) took about 0.4 s (docs/benchmarks.md,
 * issue 15).
 */
export const pointsPerRequest = 2_000_000;

/**
 * The span of one request: `span`, shortened so that `series` series of one point per `unitMs` stay
 * within `budget` points, but never below one unit. Unknown series: `span`. Pure.
 */
export function budgetedSpan(
  span: number,
  unitMs: number,
  series: number | undefined,
  budget = pointsPerRequest,
): number {
  if (series === undefined || series <= 0) return span;
  return Math.min(span, Math.max(unitMs, Math.floor(budget / series) * unitMs));
}

/**
 * [from, to) cut into consecutive ranges of at most `spanMs` (rounded up to whole windows) whose inner
 * boundaries fall on multiples of `windowMs` from the epoch, as InfluxDB's GROUP BY time buckets do:
 * a bucket is never split between two requests. Pure.
 */
export function timeChunks(from: number, to: number, windowMs: number, spanMs: number): [number, number][] {
  const step = Math.max(1, Math.ceil(spanMs / windowMs)) * windowMs;
  const chunks: [number, number][] = [];
  let start = from;
  while (start < to) {
    const end = Math.min(to, Math.floor(start / windowMs) * windowMs + step);
    chunks.push([start, end]);
    start = end;
  }
  return chunks;
}

/**
 * Answers aggregate queries from the rollups: every fn exact from the stored partials (a mean is the
 * sum of the sums over the sum of the counts). Rows ordered by start, then key.
 *
 * A long range is asked in chunks of time (`timeChunks`), one request after the other: a year of a
 * fleet's hours stays a dozen short requests (more for a large fleet: `budgetedSpan`) instead of one
 * that outlasts the client's timeout, and other readers' requests reach InfluxDB between them. One device's range is asked at once (a
 * year of its hours is 8,760 points).
 */
export class RollupReader implements AggregateReader {
  private readonly influx: InfluxConnection;
  private readonly policy: string;
  private readonly timeZone: () => string;
  private readonly chunkSpans: ChunkSpans;
  private readonly seriesOf?: (query: AggregateQuery) => number | undefined;

  constructor(
    influx: InfluxConnection,
    policy: string,
    timeZone: () => string,
    chunkSpans: ChunkSpans = defaultChunkSpans,
    /** How many series (devices, gateways) a query covers, when known: its chunks are sized to them. */
    seriesOf?: (query: AggregateQuery) => number | undefined,
  ) {
    this.influx = influx;
    this.policy = policy;
    this.timeZone = timeZone;
    this.chunkSpans = chunkSpans;
    this.seriesOf = seriesOf;
  }

  async read(query: AggregateQuery): Promise<AggregateRow[]> {
    return (await this.partials(query)).map(({ start, key, partial }) => ({
      start: new Date(start).toISOString(),
      key,
      value: aggregateValue(partial, query.fn),
      readings: partial.count,
    }));
  }

  /**
   * The partial of each bucket and group, for callers that combine buckets further (series): hours
   * may come in buckets of `hoursMs` (whole hours) already combined by InfluxDB.
   */
  async partials(query: AggregateQuery, hoursMs = hourMs): Promise<PartialRow[]> {
    const timeZone = this.timeZone();
    const window = query.granularity === 'hour' ? hoursMs : dayWindowMs;
    const span =
      query.deviceId === undefined
        ? budgetedSpan(
            this.chunkSpans[query.granularity],
            query.granularity === 'hour' ? hourMs : 24 * hourMs,
            this.seriesOf?.(query),
          )
        : Number.POSITIVE_INFINITY;
    const table = new PartialTable();
    for (const [from, to] of timeChunks(query.from.getTime(), query.to.getTime(), window, span))
      this.addSeries(
        table,
        query,
        timeZone,
        await this.influx.select(
          rollupPartialsQuery({ ...query, from: new Date(from), to: new Date(to) }, this.policy, hoursMs),
        ),
      );
    return table.sorted();
  }

  private addSeries(table: PartialTable, query: AggregateQuery, timeZone: string, series: Series[]): void {
    const tag = groupTag[query.by];
    for (const s of series) {
      const key = tag ? (s.tags?.[tag] ?? '') : '';
      const column = (part: string) => s.columns.indexOf(part);
      const [sum, count, min, max] = (['sum', 'count', 'min', 'max'] as const).map(column);
      // Parts the fn does not need are not read: NaN, never looked at.
      const read = (row: unknown[], at: number | undefined) =>
        at !== undefined && at >= 0 ? Number(row[at]) : Number.NaN;
      for (const row of s.values) {
        const at = Number(row[0]);
        // A daily window starts before the midnight it holds (see dayWindowMs): the day of its last instant.
        const start = query.granularity === 'day' ? localDayStart(at + dayWindowMs - 1, timeZone) : at;
        table.add(start, key, {
          sum: read(row, sum),
          count: read(row, count),
          min: read(row, min),
          max: read(row, max),
        });
      }
    }
  }
}
