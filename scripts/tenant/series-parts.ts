import { stringify } from 'csv-stringify/sync';
import { rollupMeasurement, rollupSources } from '../../cloud/rollups/sources.ts';
import type { InfluxConnection } from '../../cloud/storage/influx.ts';
import { quoteIdent, type Series } from '../../cloud/storage/influxql.ts';
import type { PartFile } from './part-file.ts';
import {
  csvCells,
  csvHeader,
  type FieldType,
  instantQuery,
  pageEnd,
  pageQuery,
  type SeriesColumn,
  stringifyOptions,
} from './series-csv.ts';

/**
 * Points a page holds: InfluxDB 1.x's `max-row-limit` of one answer where it is set (10,000 by
 * default before 1.6), and a few MB in memory.
 */
export const pageSize = 10_000;

const fieldTypes = new Set<FieldType>(['float', 'integer', 'string', 'boolean']);

const rollupNames = new Set(
  rollupSources.flatMap((s) => [
    rollupMeasurement(s.measurement, 'hour'),
    rollupMeasurement(s.measurement, 'day'),
  ]),
);

/** The measurements of the tenant's database, by name; none when it has no database yet. */
export async function measurementsOf(influx: InfluxConnection): Promise<string[]> {
  try {
    const [series] = await influx.select('SHOW MEASUREMENTS');
    // The rollups (their own retention policy) are derived from the raw readings: not exported; the
    // importing cloud computes them again (a backfill at its first start, docs/rollups.md).
    return (series?.values ?? [])
      .map(([name]) => String(name))
      .filter((name) => !rollupNames.has(name))
      .sort();
  } catch (error) {
    if (/database not found/.test((error as Error).message)) return [];
    throw error;
  }
}

/**
 * A measurement's columns: its tags, then its fields with InfluxDB's type of each, by name. A field
 * that has different types in different shards is exported with the first type InfluxDB lists.
 */
export async function measurementColumns(
  influx: InfluxConnection,
  measurement: string,
): Promise<SeriesColumn[]> {
  const [tags] = await influx.select(`SHOW TAG KEYS FROM ${quoteIdent(measurement)}`);
  const [fields] = await influx.select(`SHOW FIELD KEYS FROM ${quoteIdent(measurement)}`);
  const tagNames = [...new Set((tags?.values ?? []).map(([name]) => String(name)))].sort();
  const fieldsByName = new Map<string, FieldType>();
  for (const [name, type] of fields?.values ?? []) {
    if (!fieldTypes.has(type as FieldType))
      throw new Error(
        `field ${String(name)} of ${measurement} has a type this export does not know: ${String(type)}`,
      );
    if (!fieldsByName.has(String(name))) fieldsByName.set(String(name), type as FieldType);
  }
  return [
    ...tagNames.map((name): SeriesColumn => ({ name, role: 'tag' })),
    ...[...fieldsByName.keys()].sort().map(
      (name): SeriesColumn => ({
        name,
        role: 'field',
        type: fieldsByName.get(name) as FieldType,
      }),
    ),
  ];
}

/** What a query answers: its one series, if any. */
export type SelectSeries = (influxql: string) => Promise<Series | undefined>;

/**
 * A measurement's points, oldest first, a page of `size` points at a time by time (see `pageEnd`):
 * never more than a page, or the points of one millisecond, in memory. A page shorter than asked is
 * the last, unless InfluxDB cut it (its [http] max-row-limit below `size`): then an error says so.
 */
export async function* measurementRows(
  select: SelectSeries,
  measurement: string,
  columns: readonly SeriesColumn[],
  size = pageSize,
): AsyncGenerator<unknown[][]> {
  const rows = async (query: string) => (await select(query))?.values ?? [];
  let from: number | undefined;
  for (;;) {
    const page = await rows(pageQuery(measurement, columns, from, size));
    if (page.length < size) {
      yield page;
      const after = page.length === 0 ? undefined : Number(page[page.length - 1]?.[0]) + 1;
      if (after !== undefined && (await rows(pageQuery(measurement, columns, after, 1))).length > 0)
        throw new Error(
          `InfluxDB answered ${page.length} of ${measurement}'s points where ${size} were asked for and more are there: set its [http] max-row-limit to 0 or at least ${size}`,
        );
      return;
    }
    const { keep, last } = pageEnd(page.map((row) => Number(row[0])));
    yield page.slice(0, keep);
    yield await rows(instantQuery(measurement, columns, last));
    from = last + 1;
  }
}

/** Writes a measurement as CSV, oldest point first (see `measurementRows`). */
export async function writeMeasurement(
  influx: InfluxConnection,
  measurement: string,
  columns: readonly SeriesColumn[],
  part: PartFile,
  tick: (rows: number) => void,
): Promise<void> {
  await part.write(stringify([csvHeader(columns)]));
  const select: SelectSeries = async (query) => (await influx.select(query))[0];
  for await (const rows of measurementRows(select, measurement, columns)) {
    if (rows.length === 0) continue;
    await part.write(stringify(rows.map(csvCells), stringifyOptions), rows.length);
    tick(part.rows);
  }
}
