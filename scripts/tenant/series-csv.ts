import { Point } from '@influxdata/influxdb-client';
import { quoteIdent } from '../../cloud/storage/influxql.ts';
import { toLine } from '../../cloud/storage/point-writer.ts';
import type { PartSchema } from './manifest.ts';

/** A measurement's columns after `time`: its tags, then its fields with their types. */
export type SeriesColumn = Extract<PartSchema, { type: 'measurement' }>['columns'][number];
export type FieldType = Extract<SeriesColumn, { role: 'field' }>['type'];

/**
 * The InfluxQL of one page: the columns named with their role, oldest first, from `from` (ms;
 * undefined: the first point).
 */
export function pageQuery(
  measurement: string,
  columns: readonly SeriesColumn[],
  from: number | undefined,
  limit: number,
): string {
  const where = from === undefined ? '' : ` WHERE time >= ${from}ms`;
  return `${selectFrom(measurement, columns)}${where} ORDER BY time ASC LIMIT ${limit}`;
}

/** The InfluxQL of every point of one millisecond (of every series). */
export function instantQuery(measurement: string, columns: readonly SeriesColumn[], at: number): string {
  return `${selectFrom(measurement, columns)} WHERE time >= ${at}ms AND time < ${at + 1}ms`;
}

function selectFrom(measurement: string, columns: readonly SeriesColumn[]): string {
  const select = columns.map((c) => `${quoteIdent(c.name)}::${c.role}`).join(', ');
  return `SELECT ${select} FROM ${quoteIdent(measurement)}`;
}

/**
 * Where a full page ends (its points' timestamps, in ms, oldest first): the points before its last
 * millisecond are kept; that millisecond is read whole by `instantQuery`, and the next page starts
 * after it. Points of several series share timestamps, and InfluxDB orders them differently from one
 * query to the next: a page boundary inside a millisecond (LIMIT and OFFSET) would read some of them
 * twice and others never.
 */
export function pageEnd(times: readonly number[]): { keep: number; last: number } {
  const last = times[times.length - 1] as number;
  let keep = times.length;
  while (keep > 0 && times[keep - 1] === last) keep--;
  return { keep, last };
}

/** The CSV header: `time`, then each column's name. */
export function csvHeader(columns: readonly SeriesColumn[]): string[] {
  return ['time', ...columns.map((c) => c.name)];
}

type Cell = string | number | boolean | null;

/**
 * One row of a page (`[time in ms, ...values]`) as CSV cells: the time in RFC 3339 (UTC, ms), an
 * absent tag or field as an empty cell (null), an empty string kept apart from it by the writer.
 */
export function csvCells(row: readonly unknown[]): Cell[] {
  const [time, ...values] = row;
  return [
    new Date(Number(time)).toISOString(),
    ...values.map((value) => (value === undefined ? null : (value as Cell))),
  ];
}

/** csv-stringify options that keep what the cells mean: booleans as true/false, "" quoted, null bare. */
export const stringifyOptions = {
  cast: {
    boolean: (value: boolean) => (value ? 'true' : 'false'),
    string: (value: string) => (value === '' ? { value, quoted_empty: true } : value),
  },
};

/** csv-parse's cast that tells an empty cell (null: absent) from a quoted empty string. */
export function parseCell(value: string, context: { quoting: boolean }): string | null {
  return value === '' && !context.quoting ? null : value;
}

export class SeriesRowError extends Error {}

function addField(point: Point, name: string, type: FieldType, text: string): void {
  const bad = () => new SeriesRowError(`field ${name}: ${JSON.stringify(text)} is not a valid ${type}`);
  switch (type) {
    case 'float': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw bad();
      point.floatField(name, value);
      return;
    }
    case 'integer':
      if (!/^-?\d{1,19}$/.test(text)) throw bad();
      point.intField(name, Number(text));
      return;
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw bad();
      point.booleanField(name, text === 'true');
      return;
    case 'string':
      point.stringField(name, text);
  }
}

/**
 * A CSV record of a measurement part (cells as `parseCell` gives them) as a line of line protocol
 * with a millisecond timestamp, the precision the platform writes in.
 */
export function recordLine(
  measurement: string,
  columns: readonly SeriesColumn[],
  record: readonly (string | null)[],
): string {
  if (record.length !== columns.length + 1)
    throw new SeriesRowError(`${record.length} cells, ${columns.length + 1} expected`);
  const [time, ...cells] = record;
  const ms = time === null || time === undefined ? Number.NaN : Date.parse(time);
  if (!Number.isFinite(ms) || !/^\d{4}-\d\d-\d\dT/.test(time ?? ''))
    throw new SeriesRowError(`time ${JSON.stringify(time)} is not an RFC 3339 time`);
  const point = new Point(measurement).timestamp(new Date(ms));
  let fields = 0;
  columns.forEach((column, i) => {
    const cell = cells[i] ?? null;
    if (cell === null) return;
    if (column.role === 'tag') {
      if (cell === '') throw new SeriesRowError(`tag ${column.name} is empty`);
      point.tag(column.name, cell);
    } else {
      addField(point, column.name, column.type, cell);
      fields++;
    }
  });
  if (fields === 0) throw new SeriesRowError('a point without fields');
  return toLine(point);
}

/** A file name for each measurement (`influxdb/<name>.csv`), distinct even where names differ only in odd characters. */
export function measurementPaths(measurements: readonly string[]): Map<string, string> {
  const paths = new Map<string, string>();
  const taken = new Set<string>();
  for (const measurement of measurements) {
    const base = measurement.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    taken.add(name.toLowerCase());
    paths.set(measurement, `influxdb/${name}.csv`);
  }
  return paths;
}
