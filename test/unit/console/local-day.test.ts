import { describe, expect, it } from 'vitest';
import { coverageRange, today } from '../../../console/src/components/coverage-range.ts';
import { localDate, localDay, localHours, localMidnight } from '../../../console/src/components/local-day.ts';
import { offsetAt } from '../../../shared/local-time.ts';

const prague = 'Europe/Prague';
const iso = (ms: number | Date) => new Date(ms).toISOString();

describe("the city's days, whatever the browser's zone", () => {
  it("dates an instant on the city's clock, turning at its midnight", () => {
    expect(localDate(new Date('2026-11-29T22:59:59.999Z'), prague)).toBe('2026-11-29');
    expect(localDate(new Date('2026-11-29T23:00:00Z'), prague)).toBe('2026-11-30');
    expect(today('UTC', new Date('2026-11-29T23:00:00Z'))).toBe('2026-11-29');
    expect(today('Asia/Kolkata', new Date('2026-11-29T18:29:59Z'))).toBe('2026-11-29');
    expect(today('Asia/Kolkata', new Date('2026-11-29T18:30:00Z'))).toBe('2026-11-30');
    expect(localDate(new Date('2026-12-31T23:30:00Z'), prague)).toBe('2027-01-01');
  });

  it('knows the offset on both sides of a change to summer time', () => {
    expect(offsetAt(Date.parse('2026-03-29T00:59:59Z'), prague)).toBe(3_600_000);
    expect(offsetAt(Date.parse('2026-03-29T01:00:00Z'), prague)).toBe(7_200_000);
  });

  it('starts a day at local midnight: 24, 23 (summer time begins) or 25 hours long', () => {
    expect(localDay('2026-11-30', prague)).toEqual({
      from: Date.parse('2026-11-29T23:00:00Z'),
      to: Date.parse('2026-11-30T23:00:00Z'),
    });
    expect(localDay('2026-03-29', prague)).toEqual({
      from: Date.parse('2026-03-28T23:00:00Z'),
      to: Date.parse('2026-03-29T22:00:00Z'),
    });
    expect(localDay('2026-10-25', prague)).toEqual({
      from: Date.parse('2026-10-24T22:00:00Z'),
      to: Date.parse('2026-10-25T23:00:00Z'),
    });
    expect(iso(localMidnight('2026-11-30', 'Asia/Kolkata'))).toBe('2026-11-29T18:30:00.000Z');
    expect(iso(localMidnight('2026-12-31', 'UTC', 1))).toBe('2027-01-01T00:00:00.000Z');
  });

  it('lists the hours of a day on its clock, skipping and repeating as the clock does', () => {
    expect(localHours('2026-11-30', prague).map((h) => h.label)[0]).toBe('00:00–01:00');
    expect(localHours('2026-11-30', prague)).toHaveLength(24);
    const spring = localHours('2026-03-29', prague).map((h) => h.label);
    expect(spring.slice(0, 3)).toEqual(['00:00–01:00', '01:00–03:00', '03:00–04:00']);
    expect(spring).toHaveLength(23);
    const autumn = localHours('2026-10-25', prague).map((h) => h.label);
    expect(autumn.slice(1, 4)).toEqual(['01:00–02:00', '02:00–02:00', '02:00–03:00']);
    expect(autumn).toHaveLength(25);
  });

  it("asks the API for the city's day or an hour of it", () => {
    const ranged = (day: string, hour: string, zone = prague) => {
      const r = coverageRange({ on: true, day, hour }, zone);
      return [iso(r.from), iso(r.to), r.granularity];
    };
    expect(ranged('2026-11-30', '')).toEqual(['2026-11-29T23:00:00.000Z', '2026-11-30T23:00:00.000Z', 'day']);
    expect(ranged('2026-11-30', '0')).toEqual([
      '2026-11-29T23:00:00.000Z',
      '2026-11-30T00:00:00.000Z',
      'hour',
    ]);
    expect(ranged('2026-11-30', '23')).toEqual([
      '2026-11-30T22:00:00.000Z',
      '2026-11-30T23:00:00.000Z',
      'hour',
    ]);
    // 23 hours asked as they are; of 25, the first 24 (one bucket of the API's 24-hour days).
    expect(ranged('2026-03-29', '')).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 'day']);
    expect(ranged('2026-10-25', '')).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T22:00:00.000Z', 'day']);
    expect(ranged('2026-03-29', '2')).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
      'hour',
    ]);
    expect(ranged('2026-11-30', '', 'UTC')).toEqual([
      '2026-11-30T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      'day',
    ]);
  });
});
