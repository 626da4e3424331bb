import { z } from 'zod';
import type { DeviceKind } from '../../shared/kinds/index.ts';
import { numericMetrics } from '../rollups/sources.ts';
import { quoteIdent, quoteString } from '../storage/influxql.ts';

export const aggregations = ['mean', 'min', 'max', 'sum', 'count', 'last'] as const;
export type Aggregation = (typeof aggregations)[number];

export { numericMetrics };

const units = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30s`, `5m`, `1h`, `1d` → milliseconds. */
export const duration = z
  .string()
  .regex(/^[1-9]\d{0,5}[smhd]$/, 'a duration such as 30s, 5m, 1h or 1d')
  .transform((text) => Number(text.slice(0, -1)) * units[text.slice(-1) as keyof typeof units])
  .refine((ms) => ms <= 366 * units.d, 'at most 366d');

function asDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', units.d],
    ['h', units.h],
    ['m', units.m],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.ceil(ms / 1000)}s`;
}

/** Steps a coarsened interval snaps to, so buckets stay readable. */
const niceSteps = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400].map(
  (s) => s * 1000,
);

export interface SeriesRequest {
  kind: DeviceKind;
  metric: string;
  fn: Aggregation;
  from: Date;
  to: Date;
  everyMs: number;
  /** Restrict to one device, or to one district (both are optional). */
  deviceId?: string;
  district?: string;
}

export interface PlannedSeries {
  influxql: string;
  everyMs: number;
  every: string;
  coarsened: boolean;
}

/**
 * Plans an InfluxQL `GROUP BY time()` query. Bounded: a request for more than `maxPoints` buckets is
 * coarsened to the smallest nice interval that fits. Identifiers come from the allow lists above;
 * values are quoted; times are integers.
 */
export function planSeries(request: SeriesRequest, maxPoints: number): PlannedSeries {
  if (!numericMetrics[request.kind].includes(request.metric)) {
    throw new Error(`${request.metric} is not a numeric metric of ${request.kind}`);
  }
  const span = request.to.getTime() - request.from.getTime();
  let everyMs = request.everyMs;
  const coarsened = span / everyMs > maxPoints;
  if (coarsened) {
    const needed = span / maxPoints;
    everyMs = niceSteps.find((step) => step >= needed) ?? Math.ceil(needed / units.d) * units.d;
  }
  const where = [`time >= ${request.from.getTime()}ms`, `time < ${request.to.getTime()}ms`];
  if (request.deviceId !== undefined) where.push(`"device" = ${quoteString(request.deviceId)}`);
  if (request.district !== undefined) where.push(`"district" = ${quoteString(request.district)}`);
  const every = asDuration(everyMs);
  const influxql =
    `SELECT ${request.fn.toUpperCase()}(${quoteIdent(request.metric)}) AS "value" FROM ${quoteIdent(request.kind)} ` +
    `WHERE ${where.join(' AND ')} GROUP BY time(${every}) fill(none)`;
  return { influxql, everyMs, every, coarsened };
}
