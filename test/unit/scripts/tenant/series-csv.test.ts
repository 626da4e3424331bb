import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Cursor,
  csvCells,
  csvHeader,
  firstPage,
  measurementPaths,
  nextCursor,
  pageQuery,
  parseCell,
  recordLine,
  type SeriesColumn,
  stringifyOptions,
} from '../../../../scripts/tenant/series-csv.ts';

const columns: SeriesColumn[] = [
  { name: 'device', role: 'tag' },
  { name: 'district', role: 'tag' },
  { name: 'count', role: 'field', type: 'integer' },
  { name: 'lidOpen', role: 'field', type: 'boolean' },
  { name: 'level', role: 'field', type: 'float' },
  { name: 'note', role: 'field', type: 'string' },
];

describe('pages of a measurement', () => {
  it('asks for the columns with their roles, oldest first, from the cursor', () => {
    expect(pageQuery('wasteBin', columns.slice(0, 3), firstPage, 5000)).toBe(
      'SELECT "device"::tag, "district"::tag, "count"::field FROM "wasteBin" ORDER BY time ASC LIMIT 5000 OFFSET 0',
    );
    expect(pageQuery('a"b', [{ name: 'x"y', role: 'tag' }], { from: 1700000000123, skip: 3 }, 10)).toBe(
      'SELECT "x\\"y"::tag FROM "a\\"b" WHERE time >= 1700000000123ms ORDER BY time ASC LIMIT 10 OFFSET 3',
    );
    expect(pageQuery('m', columns.slice(0, 1), { from: 0, skip: 0 }, 1)).toContain('WHERE time >= 0ms');
  });

  it('moves the cursor to the last time and skips the points at that time already read', () => {
    expect(nextCursor(firstPage, [1, 2, 3])).toEqual({ from: 3, skip: 1 });
    expect(nextCursor(firstPage, [1, 3, 3])).toEqual({ from: 3, skip: 2 });
    expect(nextCursor({ from: 1, skip: 2 }, [1, 2, 2])).toEqual({ from: 2, skip: 2 });
    // A page all at the cursor's time: the points skipped before and these.
    expect(nextCursor({ from: 5, skip: 2 }, [5, 5, 5])).toEqual({ from: 5, skip: 5 });
    expect(nextCursor({ from: 5, skip: 2 }, [7])).toEqual({ from: 7, skip: 1 });
    expect(nextCursor({ from: 0, skip: 1 }, [0, 0])).toEqual({ from: 0, skip: 3 });
  });

  it('reads every point exactly once, whatever the page size and the ties in time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3, max: 12 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        (times, size) => {
          // What InfluxDB answers: points (time, series) by time, then series; from `from`, skip, limit.
          const points = times
            .map((time, series) => ({ time, series }))
            .sort((a, b) => a.time - b.time || a.series - b.series);
          const page = (at: Cursor) =>
            points.filter((p) => at.from === undefined || p.time >= at.from).slice(at.skip, at.skip + size);
          const read: number[] = [];
          let at = firstPage;
          for (;;) {
            const rows = page(at);
            read.push(...rows.map((p) => p.series));
            if (rows.length < size) break;
            at = nextCursor(
              at,
              rows.map((p) => p.time),
            );
          }
          expect(read).toEqual(points.map((p) => p.series));
        },
      ),
    );
  });
});

/** A row of a page through CSV and back to line protocol. */
function roundTrip(row: unknown[]): string {
  const text = stringify([csvHeader(columns), csvCells(row)], stringifyOptions);
  const [header, record] = parse(text, { cast: parseCell }) as (string | null)[][];
  expect(header).toEqual(['time', 'device', 'district', 'count', 'lidOpen', 'level', 'note']);
  return recordLine('wasteBin', columns, record as (string | null)[]);
}

describe('a point through CSV', () => {
  it('keeps types, absent values, empty strings and characters CSV and line protocol escape', () => {
    expect(roundTrip([1700000000123, 'bin 1,a', 'old=town', 42, true, 0.25, 'said "hi",\nthen left'])).toBe(
      'wasteBin,device=bin\\ 1\\,a,district=old\\=town count=42i,level=0.25,lidOpen=T,note="said \\"hi\\",\nthen left" 1700000000123',
    );
    expect(roundTrip([0, 'b', null, null, false, 12, ''])).toBe(
      'wasteBin,device=b level=12,lidOpen=F,note="" 0',
    );
    expect(roundTrip([1, 'b', null, -7, null, -1.5e-7, null])).toBe(
      'wasteBin,device=b count=-7i,level=-1.5e-7 1',
    );
  });

  it('writes the time in RFC 3339 with milliseconds, an absent value as an empty cell, "" quoted', () => {
    expect(stringify([csvCells([1700000000123, 'b', null, 3, false, 1, ''])], stringifyOptions)).toBe(
      '2023-11-14T22:13:20.123Z,b,,3,false,1,""\n',
    );
  });

  it('refuses a record that does not fit its columns, saying why', () => {
    const ok = ['2023-11-14T22:13:20.123Z', 'b', null, '1', 'true', '1.5', 'x'];
    const line = (change: Record<number, string | null>) =>
      recordLine(
        'wasteBin',
        columns,
        ok.map((cell, i) => (i in change ? (change[i] as string | null) : cell)),
      );
    expect(line({})).toBe('wasteBin,device=b count=1i,level=1.5,lidOpen=T,note="x" 1700000000123');
    expect(() => line({ 0: 'yesterday' })).toThrow(/time "yesterday"/);
    expect(() => line({ 0: '1700000000123' })).toThrow(/RFC 3339/);
    expect(() => line({ 0: null })).toThrow(/RFC 3339/);
    expect(() => line({ 3: '1.5' })).toThrow(/field count: "1.5" is not a valid integer/);
    expect(() => line({ 3: '12345678901234567890' })).toThrow(/not a valid integer/);
    expect(() => line({ 4: 'yes' })).toThrow(/lidOpen: "yes" is not a valid boolean/);
    expect(() => line({ 5: 'NaN' })).toThrow(/level: "NaN" is not a valid float/);
    expect(() => line({ 5: ' ' })).toThrow(/not a valid float/);
    expect(() => line({ 5: 'Infinity' })).toThrow(/not a valid float/);
    expect(() => line({ 1: '' })).toThrow(/tag device is empty/);
    expect(() => line({ 3: null, 4: null, 5: null, 6: null })).toThrow(/without fields/);
    expect(() => recordLine('wasteBin', columns, ok.slice(1))).toThrow(/6 cells, 7 expected/);
    expect(line({ 6: '' })).toContain('note=""');
  });
});

describe('file names of measurements', () => {
  it('keeps plain names and gives odd or clashing ones names of their own', () => {
    const paths = measurementPaths(['streetlight', 'a b', 'a_b', 'A_B', '', 'x/../y']);
    expect([...paths.values()]).toEqual([
      'influxdb/streetlight.csv',
      'influxdb/a_b.csv',
      'influxdb/a_b-2.csv',
      'influxdb/A_B-3.csv',
      'influxdb/_.csv',
      'influxdb/x____y.csv',
    ]);
  });
});
