import { kindList } from '../../shared/kinds/index.ts';
import { cellOf } from '../geo/cells.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { AggregateReader } from '../rollups/aggregates.ts';
import { rollupPolicy } from '../rollups/rollup-policy.ts';
import { partField, rollupMeasurement } from '../rollups/sources.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import { quoteIdent, rows, type Series } from '../storage/influxql.ts';
import { gatewayLinkMeasurement } from '../storage/measurements.ts';
import { dayMs, type LinkSample } from './cell-hours.ts';

/**
 * The hours [from, to) to read, both on whole hours, in buckets of an hour or of a day; days are
 * counted from `from` (InfluxDB reads them as such, 24 times fewer rows than hours).
 */
export interface SampleRange {
  from: Date;
  to: Date;
  granularity: 'hour' | 'day';
}

/** Reads what every device and gateway measured of its link, per map cell and bucket. */
export type LinkSampleReader = (range: SampleRange) => Promise<LinkSample[]>;

/** The kinds whose devices measure their own link, and the metrics they do it in (KindSpec.link). */
export const linkKinds = kindList.flatMap((k) => (k.link ? [{ kind: k.kind, ...k.link }] : []));

/** Where sums and counts of a field are read, and how: from raw points, or from hourly rollups. */
export interface LinkTable {
  from: string;
  sum: (field: string) => string;
  count: (field: string) => string;
}

/** Raw points: SUM and COUNT of the field. */
export const rawTable = (measurement: string): LinkTable => ({
  from: quoteIdent(measurement),
  sum: (field) => `SUM(${quoteIdent(field)})`,
  count: (field) => `COUNT(${quoteIdent(field)})`,
});

/** Hourly rollups (docs/rollups.md): SUM of the stored sums and of the stored counts, exact. */
export const hourlyRollupTable = (measurement: string): LinkTable => ({
  from: `${quoteIdent(rollupPolicy)}.${quoteIdent(rollupMeasurement(measurement, 'hour'))}`,
  sum: (field) => `SUM(${quoteIdent(partField(field, 'sum'))})`,
  count: (field) => `SUM(${quoteIdent(partField(field, 'count'))})`,
});

/** Sums and counts of two fields per bucket, grouped by the tags given. */
export function linkQuery(
  table: LinkTable,
  rsrp: string,
  sinr: string,
  range: SampleRange,
  by: string[],
): string {
  const fields = [
    `${table.sum(rsrp)} AS "rsrpSum"`,
    `${table.count(rsrp)} AS "rsrpCount"`,
    `${table.sum(sinr)} AS "sinrSum"`,
    `${table.count(sinr)} AS "sinrCount"`,
  ];
  return (
    `SELECT ${fields.join(', ')} FROM ${table.from} ` +
    `WHERE time >= ${range.from.getTime()}ms AND time < ${range.to.getTime()}ms ` +
    `GROUP BY ${bucketClause(range)}, ${by.map(quoteIdent).join(', ')} fill(none)`
  );
}

/** `time(1h)`, or `time(1d, <offset>ms)` whose days start at `from`'s time of day (UTC). */
export function bucketClause({ from, granularity }: SampleRange): string {
  if (granularity === 'hour') return 'time(1h)';
  const offset = ((from.getTime() % dayMs) + dayMs) % dayMs;
  return offset === 0 ? 'time(1d)' : `time(1d, ${offset}ms)`;
}

const tally = (sum: unknown, count: unknown) => ({ sum: Number(sum ?? 0), count: Number(count ?? 0) });

/** The samples of one answer; `place` names a series' cell and source, or skips it (undefined). */
export function samplesOf(
  series: Series[],
  place: (tags: Record<string, string>) => { cell: string; source: string } | undefined,
): LinkSample[] {
  return series.flatMap((s) => {
    const where = place(s.tags ?? {});
    if (!where) return [];
    return rows(s).map((row) => ({
      start: Number(row.time),
      ...where,
      rsrp: tally(row.rsrpSum, row.rsrpCount),
      sinr: tally(row.sinrSum, row.sinrCount),
    }));
  });
}

/** The cell of a device's location in the registry, or undefined when it has none. */
function deviceCell(registry: DeviceRegistry, device: string | undefined) {
  const location = device === undefined ? undefined : registry.record(device)?.location;
  return location ? { cell: cellOf(location), source: `device ${device}` } : undefined;
}

/**
 * Each link kind's readings from the hourly rollups (docs/rollups.md), by device: their sums and
 * counts are exact, and they reach back past the raw readings' retention. Days are folded from the
 * hours, counted from `from` like the raw query's.
 */
async function rolledUpDeviceSamples(
  reader: AggregateReader,
  registry: DeviceRegistry,
  range: SampleRange,
): Promise<LinkSample[]> {
  const samples = new Map<string, LinkSample>();
  const from = range.from.getTime();
  const bucketOf = (hour: number) =>
    range.granularity === 'hour' ? hour : from + Math.floor((hour - from) / dayMs) * dayMs;
  for (const { kind, rsrp, sinr } of linkKinds) {
    for (const [field, metric] of [
      ['rsrp', rsrp],
      ['sinr', sinr],
    ] as const) {
      const rows = await reader.read({
        kind,
        metric,
        fn: 'sum',
        granularity: 'hour',
        by: 'device',
        from: range.from,
        to: range.to,
      });
      for (const row of rows) {
        const where = deviceCell(registry, row.key);
        if (!where) continue;
        const start = bucketOf(Date.parse(row.start));
        const key = `${start} ${row.key}`;
        const sample = samples.get(key) ?? {
          start,
          ...where,
          rsrp: { sum: 0, count: 0 },
          sinr: { sum: 0, count: 0 },
        };
        sample[field].sum += row.value;
        sample[field].count += row.readings;
        samples.set(key, sample);
      }
    }
  }
  return [...samples.values()];
}

/**
 * The gateways' `gateway_link` points, grouped by their zone tag, and each link kind's readings by
 * device, placed on the cell of the device's location in the registry (raw readings carry no zone):
 * both from the hourly rollups when the tenant has them (`rollups`), else from the raw points.
 * Unplaced gateways and devices are left out. InfluxQL's `GROUP BY time(1h)` buckets on UTC hours;
 * days start at `from`.
 */
export function influxLinkSamples(
  influx: InfluxConnection,
  registry: DeviceRegistry,
  rollups?: AggregateReader,
): LinkSampleReader {
  return async (range) => {
    const table = rollups ? hourlyRollupTable(gatewayLinkMeasurement) : rawTable(gatewayLinkMeasurement);
    const gateways = influx
      .select(linkQuery(table, 'rsrp', 'sinr', range, ['zone', 'gateway']))
      .then((series) =>
        samplesOf(series, ({ zone, gateway }) =>
          zone ? { cell: zone, source: `gateway ${gateway}` } : undefined,
        ),
      );
    const devices = rollups
      ? [rolledUpDeviceSamples(rollups, registry, range)]
      : linkKinds.map(({ kind, rsrp, sinr }) =>
          influx
            .select(linkQuery(rawTable(kind), rsrp, sinr, range, ['device']))
            .then((series) => samplesOf(series, ({ device }) => deviceCell(registry, device))),
        );
    return (await Promise.all([gateways, ...devices])).flat();
  };
}
