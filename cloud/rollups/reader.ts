import { InvalidRequestError } from '../errors/domain-error.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import { quoteIdent, quoteString } from '../storage/influxql.ts';
import type { AggregateQuery, AggregateReader, AggregateRow } from './aggregates.ts';
import { hourMs, localDayStart, offsetAt } from './buckets.ts';
import { aggregateValue, type PartialAggregate, PartialTable } from './partials.ts';
import { numericMetrics, partField, rollupMeasurement } from './sources.ts';

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
  if (!numericMetrics[query.kind].includes(query.metric))
    throw new InvalidRequestError(`${query.metric} is not a numeric metric of ${query.kind}`, {
      errors: [{ path: 'metric', message: `one of ${numericMetrics[query.kind].join(', ')}` }],
    });
  return query.metric;
}

/**
 * The InfluxQL that reads the partials of a query from the rollups in `policy`. Hourly partials may be
 * read in coarser buckets (`hoursMs`, whole hours from the epoch) for a caller that folds them further.
 */
export function rollupPartialsQuery(
  query: AggregateQuery,
  policy: string,
  timeZone: string,
  hoursMs = hourMs,
): string {
  const metric = checkedMetric(query);
  const f = (part: 'sum' | 'count' | 'min' | 'max') => quoteIdent(partField(metric, part));
  const where = [`time >= ${query.from.getTime()}ms`, `time < ${query.to.getTime()}ms`];
  if (query.district !== undefined) where.push(`"district" = ${quoteString(query.district)}`);
  if (query.zone !== undefined) where.push(`"zone" = ${quoteString(query.zone)}`);
  if (query.deviceId !== undefined) where.push(`"device" = ${quoteString(query.deviceId)}`);
  // Daily points sit at local midnights: one-hour buckets hold one day each, shifted by the minutes
  // of the zone's offset (a zone half an hour off UTC has its midnights at :30).
  const shift =
    query.granularity === 'day'
      ? Math.round((((offsetAt(query.from.getTime(), timeZone) % hourMs) + hourMs) % hourMs) / 60_000)
      : 0;
  const size = query.granularity === 'hour' ? `${hoursMs / hourMs}h` : '1h';
  const groups = [`time(${size}${shift ? `, ${shift}m` : ''})`];
  const tag = groupTag[query.by];
  if (tag) groups.push(quoteIdent(tag));
  return (
    `SELECT sum(${f('sum')}), sum(${f('count')}), min(${f('min')}), max(${f('max')}) ` +
    `FROM ${quoteIdent(policy)}.${quoteIdent(rollupMeasurement(query.kind, query.granularity))} ` +
    `WHERE ${where.join(' AND ')} GROUP BY ${groups.join(', ')} fill(none)`
  );
}

/**
 * Answers aggregate queries from the rollups: every fn exact from the stored partials (a mean is the
 * sum of the sums over the sum of the counts). Rows ordered by start, then key.
 */
export class RollupReader implements AggregateReader {
  private readonly influx: InfluxConnection;
  private readonly policy: string;
  private readonly timeZone: () => string;

  constructor(influx: InfluxConnection, policy: string, timeZone: () => string) {
    this.influx = influx;
    this.policy = policy;
    this.timeZone = timeZone;
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
    const series = await this.influx.select(rollupPartialsQuery(query, this.policy, timeZone, hoursMs));
    const tag = groupTag[query.by];
    const table = new PartialTable();
    for (const s of series) {
      const key = tag ? (s.tags?.[tag] ?? '') : '';
      for (const [time, sum, count, min, max] of s.values) {
        const at = Number(time);
        // A daily bucket may start before its midnight (see the query): the day it holds.
        const start = query.granularity === 'day' ? localDayStart(at + hourMs - 1, timeZone) : at;
        table.add(start, key, { sum: Number(sum), count: Number(count), min: Number(min), max: Number(max) });
      }
    }
    return table.sorted();
  }
}
