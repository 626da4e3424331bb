import { z } from 'zod';
import { aggregateSource } from '../../shared/aggregate-sources.ts';

/**
 * What the platform keeps beside the raw readings for years: hourly and daily aggregates of every
 * numeric metric of every device and of the gateways' links, computed by the platform itself (not by InfluxDB features that
 * differ between 1.x, 2.x and 3.x). A day is a local day in the tenant's time zone.
 *
 * This file is the contract between the rollup pipeline (which writes and reads them) and its
 * readers: series queries, dashboards, open data, the coverage layer.
 */
export const granularities = ['hour', 'day'] as const;
export const granularity = z.enum(granularities);
export type Granularity = z.infer<typeof granularity>;

/** How the values of a bucket combine: each is exact from the stored sum, count, min and max. */
export const aggregateFns = ['mean', 'sum', 'min', 'max', 'count'] as const;
export const aggregateFn = z.enum(aggregateFns);
export type AggregateFn = z.infer<typeof aggregateFn>;

/** The spatial unit a query groups by: a district, a map cell (cloud/geo/cells.ts), one device, or all together. */
export const aggregateGrouping = z.enum(['district', 'zone', 'device', 'all']);
export type AggregateGrouping = z.infer<typeof aggregateGrouping>;

export const aggregateQuery = z.object({
  /** A device kind, or `gateway_link` (the gateways' cellular links, tagged by gateway, district and zone). */
  kind: aggregateSource,
  /** A numeric metric of the kind (or of the gateway link). */
  metric: z.string(),
  fn: aggregateFn,
  granularity,
  /** Inclusive, on bucket starts. */
  from: z.date(),
  /** Exclusive, on bucket starts. */
  to: z.date(),
  by: aggregateGrouping,
  /** Optional filters. */
  district: z.string().optional(),
  zone: z.string().optional(),
  deviceId: z.string().optional(),
});
export type AggregateQuery = z.infer<typeof aggregateQuery>;

export const aggregateRow = z.object({
  /** The bucket's start, ISO 8601 UTC (a local midnight for days). */
  start: z.string(),
  /** The district name, zone cell id or device id the row is for; '' when grouped by `all`. */
  key: z.string(),
  value: z.number(),
  /** How many raw readings the value summarises. */
  readings: z.int().min(0),
});
export type AggregateRow = z.infer<typeof aggregateRow>;

/** Reads aggregates of one tenant; rows ordered by start, then key. */
export interface AggregateReader {
  read(query: AggregateQuery): Promise<AggregateRow[]>;
}
