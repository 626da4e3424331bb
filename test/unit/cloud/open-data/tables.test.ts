import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  bucketEnd,
  tableRows,
  toCsv,
  toJson,
  unitSlug,
  valueColumn,
} from '../../../../cloud/open-data/tables.ts';
import { datasetOf } from './fixtures.ts';

const zone = 'Europe/Prague';
const power = datasetOf({
  id: 'power',
  kind: 'streetlight',
  metric: 'activePower',
  aggregate: 'mean',
  minCellSize: undefined,
  granularity: 'day',
});

/** Python's csv module (a parser nobody here wrote) reads the CSV; answers its rows as dictionaries. */
function readWithPython(csv: string): { rows: Record<string, string>[]; crlf: boolean } {
  const script = [
    'import csv, io, json, sys',
    'data = sys.stdin.buffer.read().decode("utf-8")',
    'rows = list(csv.DictReader(io.StringIO(data, newline=""), strict=True))',
    'print(json.dumps({"rows": rows, "crlf": data.count("\\r\\n") == data.count("\\n")}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script], { input: csv }).toString());
}

describe('the tabular forms', () => {
  it('name the unit of the value in its column', () => {
    expect(['kWh', '%', '°C', 'km/h', '1/m²', 'kbit/s'].map(unitSlug)).toEqual([
      'kwh',
      'percent',
      'celsius',
      'km_per_h',
      '1_per_m2',
      'kbit_per_s',
    ]);
    expect(valueColumn(power)).toBe('value_w');
    expect(valueColumn(datasetOf())).toBe('value_count');
    expect(valueColumn({ ...power, aggregate: 'count' })).toBe('value_readings');
  });

  it('end a day at the next local midnight, 23 or 25 hours later when the clocks change', () => {
    expect(bucketEnd(power, '2025-03-29T23:00:00.000Z', zone)).toBe('2025-03-30T22:00:00.000Z');
    expect(bucketEnd(power, '2025-10-25T22:00:00.000Z', zone)).toBe('2025-10-26T23:00:00.000Z');
    expect(bucketEnd(datasetOf(), '2025-10-26T01:00:00.000Z', zone)).toBe('2025-10-26T02:00:00.000Z');
  });

  it('write RFC 4180 CSV that Python reads back, quoting what needs it, a suppressed value empty', () => {
    const rows = tableRows(
      power,
      [
        {
          start: '2025-11-30T23:00:00.000Z',
          key: 'Staré "Město", sever',
          value: 61.25,
          readings: 96,
          suppressed: false,
        },
        { start: '2025-11-30T23:00:00.000Z', key: 'lázně', value: null, readings: 3, suppressed: true },
      ],
      zone,
    );
    const csv = toCsv(power, rows);
    expect(csv.split('\r\n')[0]).toBe('start,end,district,value_w,readings,suppressed');
    expect(readWithPython(csv)).toEqual({
      crlf: true,
      rows: [
        {
          start: '2025-11-30T23:00:00.000Z',
          end: '2025-12-01T23:00:00.000Z',
          district: 'Staré "Město", sever',
          value_w: '61.25',
          readings: '96',
          suppressed: 'false',
        },
        {
          start: '2025-11-30T23:00:00.000Z',
          end: '2025-12-01T23:00:00.000Z',
          district: 'lázně',
          value_w: '',
          readings: '3',
          suppressed: 'true',
        },
      ],
    });
  });

  it('write JSON with the unit, the licence and a row per cell', () => {
    const range = { from: new Date('2025-11-30T23:00:00Z'), to: new Date('2025-12-01T23:00:00Z') };
    const rows = tableRows(
      power,
      [{ start: '2025-11-30T23:00:00.000Z', key: 'centrum', value: 5, readings: 1, suppressed: false }],
      zone,
    );
    expect(toJson(power, rows, range)).toMatchObject({
      dataset: 'power',
      unit: 'W',
      licence: 'https://creativecommons.org/licenses/by/4.0/',
      rows: [
        { start: '2025-11-30T23:00:00.000Z', end: '2025-12-01T23:00:00.000Z', district: 'centrum', value: 5 },
      ],
    });
  });
});
