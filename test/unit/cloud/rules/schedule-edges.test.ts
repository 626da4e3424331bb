import { describe, expect, it } from 'vitest';
import { isActive, nextChange, validateSchedule } from '../../../../cloud/rules/schedule.ts';
import type { City } from '../../../../shared/fleet.ts';
import type { Schedule } from '../../../../shared/rules/schema.ts';

/** Schedules at the edges the year-long sweeps in schedule.test.ts do not reach. */
const gent: City = { name: 'Gent', timezone: 'Europe/Brussels', location: { lat: 51.0543, lon: 3.7174 } };
const newYork: City = {
  name: 'New York',
  timezone: 'America/New_York',
  location: { lat: 40.7128, lon: -74.006 },
};
// 2026-09-06: clocks in Santiago go from 00:00 -04:00 to 01:00 -03:00; that day has no midnight.
const santiago: City = {
  name: 'Santiago',
  timezone: 'America/Santiago',
  location: { lat: -33.45, lon: -70.66 },
};
const tromso: City = { name: 'Tromsø', timezone: 'Europe/Oslo', location: { lat: 69.65, lon: 18.96 } };

const window = (start: string, end: string): Schedule => ({ type: 'cron', start, end });
const at = (iso: string) => new Date(iso);

describe('cron windows at their edges', () => {
  it('open at the start instant and close at the end instant, to the millisecond', () => {
    const night = window('0 22 * * *', '0 6 * * *');
    expect(isActive(night, at('2026-11-18T21:59:59.999+01:00'), gent)).toBe(false);
    expect(isActive(night, at('2026-11-18T22:00:00.000+01:00'), gent)).toBe(true);
    expect(isActive(night, at('2026-11-19T05:59:59.999+01:00'), gent)).toBe(true);
    expect(isActive(night, at('2026-11-19T06:00:00.000+01:00'), gent)).toBe(false);
  });

  it('find a change exactly 8 days ahead, and none a second later', () => {
    const yearly = window('0 0 12 26 11 *', '0 0 13 26 11 *');
    expect(nextChange(yearly, at('2026-11-18T12:00:00+01:00'), gent)).toEqual(
      at('2026-11-26T12:00:00+01:00'),
    );
    expect(nextChange(yearly, at('2026-11-18T11:59:59+01:00'), gent)).toBeUndefined();
  });

  it('skip a start that falls on an end while closed', () => {
    // Hourly starts, ends at 06:00 and 07:00: closed from 06:00 until the start at 08:00.
    const hourly = window('0 * * * *', '0 6,7 * * *');
    expect(isActive(hourly, at('2026-11-18T07:30:00+01:00'), gent)).toBe(false);
    expect(nextChange(hourly, at('2026-11-18T06:30:00+01:00'), gent)).toEqual(
      at('2026-11-18T08:00:00+01:00'),
    );
  });

  it('look past a day of the month that falls on the wrong weekday', () => {
    const fridayThe13th = window('0 8 13 * 5', '0 9 * * *');
    // 2026-04-13 is a Monday; the next Friday the 13th (November) is beyond 8 days.
    expect(nextChange(fridayThe13th, at('2026-04-10T00:00:00-04:00'), newYork)).toBeUndefined();
    expect(isActive(fridayThe13th, at('2026-04-13T08:30:00-04:00'), newYork)).toBe(false);
  });

  it('skip a whole wrong day at once, even with a start every second', () => {
    // Open every second of a Friday the 13th until New Year; Monday 2026-04-13 must be skipped as
    // a day (86,400 occurrences, more than the walk allows one by one).
    const fromFridayThe13th = window('* * * 13 * 5', '0 0 0 1 1 *');
    expect(isActive(fromFridayThe13th, at('2026-04-14T12:00:00-04:00'), newYork)).toBe(true);
    expect(isActive(fromFridayThe13th, at('2026-03-12T12:00:00-04:00'), newYork)).toBe(true);
    expect(isActive(fromFridayThe13th, at('2026-01-12T12:00:00-05:00'), newYork)).toBe(false);
  });

  it('never change at a local time daylight saving skips, as node-cron never fires then', () => {
    // 2026-03-29 in Brussels has no 02:30; cron-parser moves it to 03:30, node-cron does not fire.
    const halfPastTwo = window('30 2 * * *', '0 6 * * *');
    expect(nextChange(halfPastTwo, at('2026-03-28T12:00:00+01:00'), gent)).toEqual(
      at('2026-03-30T02:30:00+02:00'),
    );
    expect(isActive(halfPastTwo, at('2026-03-29T04:00:00+02:00'), gent)).toBe(false);
    expect(isActive(halfPastTwo, at('2026-03-28T04:00:00+01:00'), gent)).toBe(true);
    // 00:30 does not exist on 2026-09-06 in Santiago, a day without a midnight (cron-parser cannot
    // walk back into it): the window stays closed from the 5th at 06:00 to the 7th at 00:30.
    const afterMidnight = window('30 0 * * *', '0 6 * * *');
    expect(isActive(afterMidnight, at('2026-09-06T03:00:00-03:00'), santiago)).toBe(false);
    expect(isActive(afterMidnight, at('2026-09-05T03:00:00-04:00'), santiago)).toBe(true);
    expect(nextChange(afterMidnight, at('2026-09-05T12:00:00-04:00'), santiago)).toEqual(
      at('2026-09-07T00:30:00-03:00'),
    );
  });

  it('find the last start before a day without a midnight, walking forward from further back', () => {
    // cron-parser's prev() gives up on 2026-09-06 in Santiago; the start of the 5th at 00:30 still counts.
    const sinceHalfPastMidnight = window('30 0 * * *', '0 0 1 1 *');
    expect(isActive(sinceHalfPastMidnight, at('2026-09-06T03:00:00-03:00'), santiago)).toBe(true);
    expect(isActive(sinceHalfPastMidnight, at('2026-01-01T00:15:00-03:00'), santiago)).toBe(false);
  });

  it('take a start at the midnight right after a day that fails the weekday test', () => {
    // Midnight of the 13th or 14th, on a Saturday: Friday 2026-11-13 fails, Saturday the 14th at 00:00 opens.
    const saturdayMidnight = window('0 0 13,14 * 6', '0 1 * * *');
    expect(nextChange(saturdayMidnight, at('2026-11-12T12:00:00+01:00'), gent)).toEqual(
      at('2026-11-14T00:00:00+01:00'),
    );
  });

  it('walk back across a day without a midnight to find the right weekday', () => {
    // The 6th at 08:00, on a Monday only: 2026-09-06 is a Sunday (no midnight), 2026-07-06 a Monday.
    const mondayThe6th = window('0 8 6 * 1', '0 9 * * *');
    expect(isActive(mondayThe6th, at('2026-09-06T08:30:00-03:00'), santiago)).toBe(false);
    expect(isActive(mondayThe6th, at('2026-07-06T08:30:00-04:00'), santiago)).toBe(true);
  });
});

describe('invalid cron expressions', () => {
  it('name every reason node-cron gives, separated by "; "', () => {
    expect(validateSchedule(window('0 25 * * *', '0 6 * * *'))).toMatch(
      /^schedule\.start: "0 25 \* \* \*" is not a valid node-cron expression \(.*hour/,
    );
    expect(validateSchedule(window('0 22 * * *', '99 99 * * *'))).toMatch(
      /^schedule\.end: "99 99 \* \* \*" is not a valid node-cron expression \([^;]+; [^;]+\)$/,
    );
  });

  it('give that reason when evaluated anyway', () => {
    expect(() => isActive(window('0 25 * * *', '0 6 * * *'), at('2026-11-18T12:00:00Z'), gent)).toThrow(
      'invalid schedule: "0 25 * * *" is not a valid node-cron expression',
    );
  });
});

describe('sun windows from solar noon in polar day and night', () => {
  const sun = (from: 'solarNoon', to: 'sunrise' | 'sunset'): Schedule => ({
    type: 'sun',
    from,
    to,
    fromOffsetMinutes: 0,
    toOffsetMinutes: 0,
  });
  // Solar noon → sunrise is a dark window (the afternoon and the night), solar noon → sunset a light one.
  it.each([
    ['solar noon → sunrise', 'polar night', '2026-12-15T', 'sunrise'],
    ['solar noon → sunset', 'polar day', '2026-06-25T', 'sunset'],
  ] as const)('%s is active all day in %s', (_, __, day, to) => {
    for (const time of ['02:00:00+01:00', '10:00:00+01:00', '15:00:00+01:00', '22:00:00+01:00']) {
      expect(isActive(sun('solarNoon', to), at(`${day}${time}`), tromso), time).toBe(true);
    }
  });

  // A sun event that does not happen that day: the window does not open that day, not even from
  // solar noon (which always happens) to the day's end.
  it.each([
    ['solar noon → sunset', 'polar night', '2026-12-15T', 'sunset'],
    ['solar noon → sunrise', 'polar day', '2026-06-25T', 'sunrise'],
  ] as const)('%s stays inactive all day in %s', (_, __, day, to) => {
    for (const time of ['02:00:00+01:00', '10:00:00+01:00', '15:00:00+01:00', '22:00:00+01:00']) {
      expect(isActive(sun('solarNoon', to), at(`${day}${time}`), tromso), time).toBe(false);
    }
    expect(nextChange(sun('solarNoon', to), at(`${day}10:00:00+01:00`), tromso)).toBeUndefined();
  });
});
