import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  csvCells,
  csvHeader,
  instantQuery,
  measurementPaths,
  pageEnd,
  pageQuery,
  parseCell,
  recordLine,
  type SeriesColumn,
  stringifyOptions,
} from '../../../../scripts/tenant/series-csv.ts';
import { measurementRows, type SelectSeries } from '../../../../scripts/tenant/series-parts.ts';

const columns: SeriesColumn[] = [
  { name: 'device', role: 'tag' },
  { name: 'district', role: 'tag' },
  { name: 'count', role: 'field', type: 'integer' },
  { name: 'lidOpen', role: 'field', type: 'boolean' },
  { name: 'level', role: 'field', type: 'float' },
  { name: 'note', role: 'field', type: 'string' },
];

describe('pages of a measurement', () => {
  it('asks for the columns with their roles, oldest first, from a time or for one millisecond', () => {
    expect(pageQuery('wasteBin', columns.slice(0, 3), undefined, 5000)).toBe(
      'SELECT "device"::tag, "district"::tag, "count"::field FROM "wasteBin" ORDER BY time ASC LIMIT 5000',
    );
    expect(pageQuery('a"b', [{ name: 'x"y', role: 'tag' }], 1700000000123, 10)).toBe(
      'SELECT "x\\"y"::tag FROM "a\\"b" WHERE time >= 1700000000123ms ORDER BY time ASC LIMIT 10',
    );
    expect(pageQuery('m', columns.slice(0, 1), 0, 1)).toContain('WHERE time >= 0ms');
    expect(instantQuery('m', columns.slice(4, 5), -5)).toBe(
      'SELECT "level"::field FROM "m" WHERE time >= -5ms AND time < -4ms',
    );
  });

  it('ends a full page before its last millisecond, which is read whole', () => {
    expect(pageEnd([1, 2, 3])).toEqual({ keep: 2, last: 3 });
    expect(pageEnd([1, 3, 3])).toEqual({ keep: 1, last: 3 });
    expect(pageEnd([5, 5, 5])).toEqual({ keep: 0, last: 5 });
    expect(pageEnd([7])).toEqual({ keep: 0, last: 7 });
  });
});

/**
 * InfluxDB as far as paging sees it: points (time, series) answered by time, points of one time in
 * an order of its own each query (as InfluxDB 1.x does), to the two queries a page makes.
 */
function fakeInflux(
  points: { time: number; series: number }[],
  shuffle: (n: number) => number,
): SelectSeries {
  return async (query) => {
    const from = /time >= (-?\d+)ms/.exec(query)?.[1];
    const to = /time < (-?\d+)ms/.exec(query)?.[1];
    const limit = /LIMIT (\d+)/.exec(query)?.[1];
    const found = points
      .filter((p) => from === undefined || p.time >= Number(from))
      .filter((p) => to === undefined || p.time < Number(to))
      .map((p) => ({ ...p, tie: shuffle(1_000) }))
      .sort((a, b) => a.time - b.time || a.tie - b.tie)
      .slice(0, limit === undefined ? undefined : Number(limit));
    return { name: 'm', columns: ['time', 'series'], values: found.map((p) => [p.time, p.series]) };
  };
}

describe('reading a measurement page by page', () => {
  it('reads every point exactly once, whatever the page size, the ties and their order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -3, max: 12 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        fc.infiniteStream(fc.nat()),
        async (times, size, ties) => {
          const points = times.map((time, series) => ({ time, series }));
          const select = fakeInflux(points, (n) => (ties.next().value as number) % n);
          const read: number[][] = [];
          for await (const rows of measurementRows(select, 'm', [], size)) read.push(...(rows as number[][]));
          expect(read.map(([time]) => time)).toEqual([...times].sort((a, b) => a - b));
          expect(read.map(([, series]) => series).sort((a, b) => (a as number) - (b as number))).toEqual(
            points.map((p) => p.series),
          );
        },
      ),
    );
  });

  it('refuses an answer InfluxDB cut short at its max-row-limit', async () => {
    const points = [1, 2, 3, 4].map((time) => ({ time, series: time }));
    const all = fakeInflux(points, () => 0);
    const cut: SelectSeries = async (query) => {
      const series = await all(query);
      return series && { ...series, values: series.values.slice(0, 2) };
    };
    const read = async (select: SelectSeries) => {
      const rows: unknown[][] = [];
      for await (const page of measurementRows(select, 'm', [], 3)) rows.push(...page);
      return rows.length;
    };
    expect(await read(all)).toBe(4);
    await expect(read(cut)).rejects.toThrow(/answered 2 of m's points where 3 were asked .* at least 3/);
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
