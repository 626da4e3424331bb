import { hourMs, localDayStart } from '../../shared/local-time.ts';
import type { AggregateQuery } from '../rollups/aggregates.ts';
import { aggregateValue, combine, type PartialAggregate } from '../rollups/partials.ts';
import type { PartialRow } from '../rollups/reader.ts';
import type { Aggregation, SeriesRequest } from './series-query.ts';

/** Where a series is read from: the raw readings, or the hourly or daily rollups. */
export const seriesResolutions = ['raw', 'hour', 'day'] as const;
export type SeriesResolution = (typeof seriesResolutions)[number];

const dayMs = 24 * hourMs;

export interface ResolutionContext {
  now: Date;
  /** How long raw readings are kept (the tenant's retention). */
  rawRetentionDays: number;
  /** Whether the rollups are computed (ROLLUPS_ENABLED). */
  rollups: boolean;
}

/**
 * The coarsest resolution that answers the request exactly: whole days from the daily rollups, whole
 * hours from the hourly ones, anything finer (or `last`, which rollups do not keep) from raw. Beyond the
 * raw retention only rollups remain: a finer bucket is answered hourly (`everyMs` says the bucket used).
 */
export function chooseResolution(
  request: { fn: Aggregation; from: Date; everyMs: number },
  context: ResolutionContext,
): { resolution: SeriesResolution; everyMs: number } {
  const { everyMs } = request;
  if (!context.rollups || request.fn === 'last') return { resolution: 'raw', everyMs };
  if (everyMs % dayMs === 0) return { resolution: 'day', everyMs };
  if (everyMs % hourMs === 0) return { resolution: 'hour', everyMs };
  const rawSince = context.now.getTime() - context.rawRetentionDays * dayMs;
  if (request.from.getTime() >= rawSince) return { resolution: 'raw', everyMs };
  return { resolution: 'hour', everyMs: Math.ceil(everyMs / hourMs) * hourMs };
}

/** The aggregate query that reads a series' partials at a rollup resolution (all devices together). */
export function seriesAggregateQuery(
  request: SeriesRequest & { fn: Exclude<Aggregation, 'last'> },
  resolution: 'hour' | 'day',
  timeZone: string,
): AggregateQuery {
  const from =
    resolution === 'day' ? localDayStart(request.from.getTime(), timeZone) : request.from.getTime();
  return {
    kind: request.kind,
    metric: request.metric,
    fn: request.fn,
    granularity: resolution,
    from: new Date(Math.floor(from / hourMs) * hourMs),
    to: request.to,
    by: 'all',
    deviceId: request.deviceId,
    district: request.district,
  };
}

export interface Fold {
  fn: Exclude<Aggregation, 'last'>;
  resolution: 'hour' | 'day';
  everyMs: number;
  /** Days: the start of the first local day asked for, and the zone the days are local to. */
  firstDay: number;
  timeZone: string;
}

/**
 * Folds hourly or daily partials into the series' buckets: `everyMs` long from the epoch for hours
 * (as InfluxDB's GROUP BY time does), runs of `everyMs / 1d` local days from the first day asked for
 * days. Each bucket's value is exact (a mean is the sum of sums over the sum of counts).
 */
export function foldSeries(rows: readonly PartialRow[], fold: Fold): { t: string; v: number }[] {
  const { resolution, everyMs, firstDay, timeZone } = fold;
  const buckets = new Map<number, PartialAggregate>();
  const days = everyMs / dayMs;
  for (const { start, partial } of rows) {
    let bucket: number;
    if (resolution === 'hour') bucket = Math.floor(start / everyMs) * everyMs;
    else {
      // Days since the first, rounded: a day may last 23 or 25 hours.
      const index = Math.round((start - firstDay) / dayMs);
      bucket = index - (index % days);
    }
    const had = buckets.get(bucket);
    buckets.set(bucket, had ? combine(had, partial) : partial);
  }
  // A run of days starts at the local midnight `bucket` days after the first (noon of it, then back).
  const startOf = (bucket: number) =>
    resolution === 'hour' ? bucket : localDayStart(firstDay + bucket * dayMs + 12 * hourMs, timeZone);
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([bucket, partial]) => ({
      t: new Date(startOf(bucket)).toISOString(),
      v: aggregateValue(partial, fold.fn),
    }));
}
