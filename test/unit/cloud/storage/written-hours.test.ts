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
