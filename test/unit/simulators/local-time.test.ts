import { describe, expect, it } from 'vitest';
import { localClock } from '../../../simulators/local-time.ts';

const at = (iso: string, timezone: string) => localClock(new Date(iso), timezone);

describe('localClock', () => {
  it('applies winter and summer time in Brussels', () => {
    expect(at('2026-11-18T11:00:00Z', 'Europe/Brussels')).toEqual({ hour: 12, weekday: 3 });
    expect(at('2026-07-15T10:30:00Z', 'Europe/Brussels')).toEqual({ hour: 12.5, weekday: 3 });
  });

  it('switches exactly at the daylight saving transitions', () => {
    expect(at('2026-03-29T00:59:00Z', 'Europe/Brussels').hour).toBeCloseTo(1 + 59 / 60, 9);
    expect(at('2026-03-29T01:00:00Z', 'Europe/Brussels').hour).toBe(3);
    expect(at('2026-10-25T00:59:00Z', 'Europe/Brussels').hour).toBeCloseTo(2 + 59 / 60, 9);
    expect(at('2026-10-25T01:00:00Z', 'Europe/Brussels').hour).toBe(2);
  });

  it('handles half-hour offsets and days that differ from the UTC day', () => {
    expect(at('2026-01-04T20:00:00Z', 'Asia/Kolkata')).toEqual({ hour: 1.5, weekday: 1 });
    expect(at('2026-01-05T02:00:00Z', 'America/St_Johns')).toEqual({ hour: 22.5, weekday: 0 });
    expect(at('2026-01-05T02:00:00Z', 'UTC')).toEqual({ hour: 2, weekday: 1 });
  });

  it('agrees with Intl over a year of arbitrary instants', () => {
    const timezone = 'America/New_York';
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
    });
    const names = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    for (
      let ms = Date.parse('2026-01-01T00:00:00Z');
      ms < Date.parse('2027-01-01T00:00:00Z');
      ms += 7_777_777
    ) {
      const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
      const clock = localClock(new Date(ms), timezone);
      expect(Math.floor(clock.hour)).toBe(Number(parts.hour));
      expect(Math.floor((clock.hour % 1) * 60 + 1e-9)).toBe(Number(parts.minute));
      expect(names[clock.weekday]).toBe(parts.weekday);
    }
  });
});
