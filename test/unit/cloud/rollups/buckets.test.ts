import { describe, expect, it } from 'vitest';
import { daysOf, hourStart, hoursBetween } from '../../../../cloud/rollups/buckets.ts';
import { localDayStart, localMidnight, nextLocalDay, offsetAt } from '../../../../shared/local-time.ts';

const prague = 'Europe/Prague';
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('hours', () => {
  it('rounds down to the UTC hour, the hour itself included and its last millisecond too', () => {
    expect(iso(hourStart(at('2026-03-29T01:00:00.000Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(hourStart(at('2026-03-29T01:59:59.999Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(hourStart(at('2026-03-29T02:00:00.000Z')))).toBe('2026-03-29T02:00:00.000Z');
  });

  it('lists the hours from the one holding `from` up to, not including, `to`', () => {
    expect(hoursBetween(at('2026-01-01T10:30:00Z'), at('2026-01-01T12:00:00Z')).map(iso)).toEqual([
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T11:00:00.000Z',
    ]);
    expect(hoursBetween(at('2026-01-01T10:00:00Z'), at('2026-01-01T10:00:00.001Z'))).toHaveLength(1);
    expect(hoursBetween(at('2026-01-01T10:00:00Z'), at('2026-01-01T10:00:00Z'))).toEqual([]);
  });
});

describe('local days in Europe/Prague', () => {
  it('knows the offset in winter and in summer', () => {
    expect(offsetAt(at('2026-01-15T12:00:00Z'), prague)).toBe(3_600_000);
    expect(offsetAt(at('2026-07-15T12:00:00Z'), prague)).toBe(7_200_000);
    expect(offsetAt(at('2026-07-15T12:00:00Z'), 'UTC')).toBe(0);
  });

  it('starts an ordinary day at local midnight: 23:00 UTC in winter, 22:00 UTC in summer', () => {
    expect(iso(localDayStart(at('2026-01-15T12:00:00Z'), prague))).toBe('2026-01-14T23:00:00.000Z');
    expect(iso(localDayStart(at('2026-07-15T12:00:00Z'), prague))).toBe('2026-07-14T22:00:00.000Z');
  });

  it('puts the instants either side of local midnight into their own days', () => {
    expect(iso(localDayStart(at('2026-01-14T22:59:59.999Z'), prague))).toBe('2026-01-13T23:00:00.000Z');
    expect(iso(localDayStart(at('2026-01-14T23:00:00.000Z'), prague))).toBe('2026-01-14T23:00:00.000Z');
  });

  it('gives the day summer time starts (29 March 2026) 23 hours, its midnight still in winter time', () => {
    // Noon on the 29th is summer time (+2), its midnight was winter time (+1).
    const start = localDayStart(at('2026-03-29T10:00:00Z'), prague);
    expect(iso(start)).toBe('2026-03-28T23:00:00.000Z');
    expect(nextLocalDay(start, prague) - start).toBe(23 * 3_600_000);
    // The hour 01:00-02:00 UTC (03:00 local after the jump) is in the 29th; 22:00 UTC is the 30th.
    expect(iso(localDayStart(at('2026-03-29T01:30:00Z'), prague))).toBe('2026-03-28T23:00:00.000Z');
    expect(iso(localDayStart(at('2026-03-29T21:59:59Z'), prague))).toBe('2026-03-28T23:00:00.000Z');
    expect(iso(localDayStart(at('2026-03-29T22:00:00Z'), prague))).toBe('2026-03-29T22:00:00.000Z');
  });

  it('gives the day summer time ends (25 October 2026) 25 hours', () => {
    const start = localMidnight(2026, 10, 25, prague);
    expect(iso(start)).toBe('2026-10-24T22:00:00.000Z');
    expect(iso(nextLocalDay(start, prague))).toBe('2026-10-25T23:00:00.000Z');
    expect(iso(localDayStart(at('2026-10-25T22:59:59Z'), prague))).toBe('2026-10-24T22:00:00.000Z');
  });

  it('starts days of a zone half an hour off UTC at :30', () => {
    expect(iso(localDayStart(at('2026-01-15T12:00:00Z'), 'Asia/Kolkata'))).toBe('2026-01-14T18:30:00.000Z');
  });

  it('lists each day holding the given hours once, in order', () => {
    const hours = [at('2026-03-29T21:00:00Z'), at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z')];
    expect(daysOf(hours, prague).map(iso)).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  });
});
