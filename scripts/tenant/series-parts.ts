import { stringify } from 'csv-stringify/sync';
import type { InfluxConnection } from '../../cloud/storage/influx.ts';
import { quoteIdent } from '../../cloud/storage/influxql.ts';
import type { PartFile } from './part-file.ts';
import {
  csvCells,
  csvHeader,
  type FieldType,
  firstPage,
  nextCursor,
  pageQuery,
  type SeriesColumn,
  stringifyOptions,
} from './series-csv.ts';

/**
 * Points a page holds: well under InfluxDB 1.x's `max-row-limit` of one answer (10,000 by default
 * where it is set), and few enough that a page's rows are small in memory.
 */
export const pageSize = 5_000;

const fieldTypes = new Set<FieldType>(['float', 'integer', 'string', 'boolean']);

/** The measurements of the tenant's database, by name; none when it has no database yet. */
export async function measurementsOf(influx: InfluxConnection): Promise<string[]> {
  try {
    const [series] = await influx.select('SHOW MEASUREMENTS');
    return (series?.values ?? []).map(([name]) => String(name)).sort();
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

/**
 * Writes a measurement as CSV, oldest point first, a page of `pageSize` points at a time (InfluxQL
 * over /query with a time cursor; see `nextCursor`): never more than a page in memory.
 */
export async function writeMeasurement(
  influx: InfluxConnection,
  measurement: string,
  columns: readonly SeriesColumn[],
  part: PartFile,
  tick: (rows: number) => void,
): Promise<void> {
  await part.write(stringify([csvHeader(columns)]));
  let at = firstPage;
  for (;;) {
    const [series] = await influx.select(pageQuery(measurement, columns, at, pageSize));
    const values = series?.values ?? [];
    if (values.length > 0) {
      await part.write(stringify(values.map(csvCells), stringifyOptions), values.length);
      tick(part.rows);
    }
    if (values.length < pageSize) return;
    at = nextCursor(
      at,
      values.map((row) => Number(row[0])),
    );
  }
}
