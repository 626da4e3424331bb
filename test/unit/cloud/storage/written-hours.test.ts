import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writtenHours } from '../../../../cloud/storage/written-hours.ts';

const h = (iso: string) => Date.parse(iso);

describe('the hours a batch wrote into', () => {
  const watched = new Set(['streetlight', 'camera', 'odd name']);

  it('finds each watched (measurement, hour) once, by the millisecond timestamp at the end of the line', () => {
    const records = [
      [
        `streetlight,device=a,district=Centre v=1 ${h('2026-03-29T00:59:59.999Z')}`,
        `streetlight,device=b v=2 ${h('2026-03-29T00:00:00.000Z')}`,
        `streetlight,device=c v=3 ${h('2026-03-29T01:00:00.000Z')}`,
      ].join('\n'),
      `camera,device=x s="a b c",n=1 ${h('2026-03-29T00:30:00Z')}`,
    ];
    expect(writtenHours(records, watched, 0)).toEqual([
      { measurement: 'streetlight', hour: h('2026-03-29T00:00:00Z') },
      { measurement: 'streetlight', hour: h('2026-03-29T01:00:00Z') },
      { measurement: 'camera', hour: h('2026-03-29T00:00:00Z') },
    ]);
  });

  it('skips measurements not watched (events, snapshots) and reads escaped names', () => {
    const records = [
      `device_event,device=a count=1i ${h('2026-03-29T00:00:00Z')}`,
      `odd\\ name,t=1 v=1 ${h('2026-03-29T05:10:00Z')}`,
    ];
    expect(writtenHours(records, watched, 0)).toEqual([
      { measurement: 'odd name', hour: h('2026-03-29T05:00:00Z') },
    ]);
  });

  it('puts a line without a timestamp into the hour of `now`', () => {
    expect(writtenHours(['camera,device=x n=1'], watched, h('2026-03-29T07:45:00Z'))).toEqual([
      { measurement: 'camera', hour: h('2026-03-29T07:00:00Z') },
    ]);
  });
});

/** The first version, line by line with split: the model the in-place walk must agree with. */
function modelHours(records: readonly string[], watched: ReadonlySet<string>, now: number) {
  const measurementOf = (line: string) => {
    let name = '';
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (c === '\\' && i + 1 < line.length) {
        name += line[++i];
        continue;
      }
      if (c === ',' || c === ' ') return name;
      name += c;
    }
    return name;
  };
  const found = new Map<string, { measurement: string; hour: number }>();
  for (const record of records) {
    for (const line of record.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const measurement = measurementOf(line);
      if (!watched.has(measurement)) continue;
      const stamp = Number(line.slice(line.lastIndexOf(' ') + 1));
      const at = Number.isFinite(stamp) && /\d$/.test(line) ? stamp : now;
      const hour = Math.floor(at / 3_600_000) * 3_600_000;
      found.set(`${measurement}\u0000${hour}`, { measurement, hour });
    }
  }
  return [...found.values()];
}

describe('the hours a batch wrote into, on any lines', () => {
  it('agrees with reading the lines one by one', () => {
    const names = ['streetlight', 'camera', 'odd name', 'odd\\ name', 'o,dd', 'other', '#x', '', '12'];
    const part = fc.oneof(
      fc.constantFrom(...names),
      fc.constantFrom(',', ' ', '\\', '\n', '#', '=', '"', '1', '0', 'T'),
      fc.integer({ min: 0, max: 10 * 3_600_000 }).map(String),
    );
    const record = fc.array(part, { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(record, { maxLength: 5 }), fc.integer({ min: 0, max: 1e9 }), (records, now) => {
        const watched = new Set(['streetlight', 'camera', 'odd name', 'o', '12', '']);
        expect(writtenHours(records, watched, now)).toEqual(modelHours(records, watched, now));
      }),
      { numRuns: 2_000 },
    );
  });
});
