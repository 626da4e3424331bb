import { Point } from '@influxdata/influxdb-client';
import type { InfluxConnection } from '../storage/influx.ts';
import { quoteIdent, quoteString, type Series } from '../storage/influxql.ts';
import { toLine } from '../storage/point-writer.ts';
import type { PartialAggregate } from './partials.ts';
import { partField, type RollupSource, rollupMeasurement, rollupTags } from './sources.ts';

/** One rollup point: a series (its tags) in one bucket, with the partial of each field it has readings of. */
export interface RollupPoint {
  time: number;
  tags: Record<string, string>;
  partials: Record<string, PartialAggregate>;
}

const tagList = (tags: readonly string[]) => tags.map(quoteIdent).join(', ');

/** The partial columns of each field, named `<field>_sum`... for `part(field)` expressions. */
function partColumns(
  fields: readonly string[],
  parts: (field: string) => [string, string, string, string],
): string {
  return fields
    .flatMap((field) => {
      const [sum, count, min, max] = parts(field);
      return [
        `${sum} AS ${quoteIdent(partField(field, 'sum'))}`,
        `${count} AS ${quoteIdent(partField(field, 'count'))}`,
        `${min} AS ${quoteIdent(partField(field, 'min'))}`,
        `${max} AS ${quoteIdent(partField(field, 'max'))}`,
      ];
    })
    .join(', ');
}

/** Raw readings: the partial of each field, per series and hour in [from, to). */
export function rawHoursQuery(source: RollupSource, from: number, to: number): string {
  const columns = partColumns(source.fields, (f) => {
    const q = quoteIdent(f);
    return [`sum(${q})`, `count(${q})`, `min(${q})`, `max(${q})`];
  });
  return (
    `SELECT ${columns} FROM ${quoteIdent(source.measurement)} WHERE time >= ${from}ms AND time < ${to}ms ` +
    `GROUP BY time(1h), ${tagList(source.tags)} fill(none)`
  );
}

/** Hourly rollups: the partial of each field, per series, over [from, to) (a local day). */
export function hoursToDayQuery(source: RollupSource, policy: string, from: number, to: number): string {
  const columns = partColumns(source.fields, (f) => [
    `sum(${quoteIdent(partField(f, 'sum'))})`,
    `sum(${quoteIdent(partField(f, 'count'))})`,
    `min(${quoteIdent(partField(f, 'min'))})`,
    `max(${quoteIdent(partField(f, 'max'))})`,
  ]);
  const from_ = `${quoteIdent(policy)}.${quoteIdent(rollupMeasurement(source.measurement, 'hour'))}`;
  return (
    `SELECT ${columns} FROM ${from_} WHERE time >= ${from}ms AND time < ${to}ms ` +
    `GROUP BY ${tagList(rollupTags)}`
  );
}

/**
 * Reads the answer of one of the queries above into rollup points: one per series and bucket, with
 * the partials of the fields that had readings. `time` is the bucket InfluxDB reports unless given.
 */
export function toRollupPoints(
  series: readonly Series[],
  fields: readonly string[],
  time?: number,
): RollupPoint[] {
  const points: RollupPoint[] = [];
  for (const s of series) {
    const column = new Map(s.columns.map((name, i) => [name, i]));
    for (const row of s.values) {
      const partials: Record<string, PartialAggregate> = {};
      for (const field of fields) {
        const at = (part: 'sum' | 'count' | 'min' | 'max') => row[column.get(partField(field, part)) ?? -1];
        const count = Number(at('count') ?? 0);
        if (count > 0)
          partials[field] = { sum: Number(at('sum')), count, min: Number(at('min')), max: Number(at('max')) };
      }
      if (Object.keys(partials).length > 0)
        points.push({ time: time ?? Number(row[0]), tags: { ...(s.tags ?? {}) }, partials });
    }
  }
  return points;
}

/** A rollup point as line protocol (millisecond timestamp); an empty tag is left out. */
export function rollupLine(measurement: string, point: RollupPoint): string {
  const p = new Point(measurement);
  for (const tag of rollupTags) {
    const value = point.tags[tag];
    if (value) p.tag(tag, value);
  }
  for (const [field, partial] of Object.entries(point.partials)) {
    p.floatField(partField(field, 'sum'), partial.sum);
    p.floatField(partField(field, 'count'), partial.count);
    p.floatField(partField(field, 'min'), partial.min);
    p.floatField(partField(field, 'max'), partial.max);
  }
  return toLine(p.timestamp(new Date(point.time)));
}

const seriesKey = (time: number, tags: Record<string, string | undefined>) =>
  `${time}\u0000${rollupTags.map((t) => tags[t] ?? '').join('\u0000')}`;

/**
 * Makes `points` the whole content of `measurement` (in `policy`) over [from, to): writes them, then
 * deletes the series that were there and are not among them (a device moved to another zone since the
 * bucket was last computed, say). Writing the same point again overwrites it: recomputing is
 * idempotent. [from, to) is whole hours (hourly rollups) or one bucket (a day).
 */
export async function replaceBuckets(
  influx: InfluxConnection,
  policy: string,
  measurement: string,
  range: { from: number; to: number; oneBucket: boolean },
  points: readonly RollupPoint[],
): Promise<void> {
  const { from, to, oneBucket } = range;
  const target = `${quoteIdent(policy)}.${quoteIdent(measurement)}`;
  const [existing] = await influx.query(
    `SELECT count(*) FROM ${target} WHERE time >= ${from}ms AND time < ${to}ms GROUP BY time(1h), * fill(none)`,
  );
  await influx.writeInto(
    policy,
    points.map((point) => rollupLine(measurement, point)),
  );
  const bucketOf = (time: number) => (oneBucket ? from : time);
  const kept = new Set(points.map((p) => seriesKey(bucketOf(p.time), p.tags)));
  const stale = new Set<string>();
  for (const s of existing ?? []) {
    const tags = s.tags ?? {};
    for (const row of s.values) {
      const bucket = bucketOf(Number(row[0]));
      if (kept.has(seriesKey(bucket, tags))) continue;
      const end = oneBucket ? to : bucket + 3_600_000;
      const where = rollupTags.map((t) => `${quoteIdent(t)} = ${quoteString(tags[t] ?? '')}`);
      stale.add(
        `DELETE FROM ${quoteIdent(measurement)} WHERE time >= ${bucket}ms AND time < ${end}ms AND ${where.join(' AND ')}`,
      );
    }
  }
  if (stale.size > 0) await influx.query([...stale].join('; '), 'POST');
}
