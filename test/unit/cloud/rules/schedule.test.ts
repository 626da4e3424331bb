import cron from 'node-cron';
import { getPosition, getTimes } from 'suncalc';
import { describe, expect, it } from 'vitest';
import { isActive, nextChange, scheduleIssue, validateSchedule } from '../../../../cloud/rules/schedule.ts';
import type { City } from '../../../../shared/fleet.ts';
import type { Schedule } from '../../../../shared/rules/schema.ts';

const gent: City = { name: 'Gent', timezone: 'Europe/Brussels', location: { lat: 51.0543, lon: 3.7174 } };
const tromso: City = { name: 'Tromsø', timezone: 'Europe/Oslo', location: { lat: 69.65, lon: 18.96 } };
const newYork: City = {
  name: 'New York',
  timezone: 'America/New_York',
  location: { lat: 40.7128, lon: -74.006 },
};

type SunEvent = Extract<Schedule, { type: 'sun' }>['from'];
const sun = (from: SunEvent, to: SunEvent, fromOffsetMinutes = 0, toOffsetMinutes = 0): Schedule => ({
  type: 'sun',
  from,
  to,
  fromOffsetMinutes,
  toOffsetMinutes,
});
const window = (start: string, end: string): Schedule => ({ type: 'cron', start, end });

const dark = sun('sunset', 'sunrise');
const daylight = sun('sunrise', 'sunset');
const night = window('0 22 * * *', '0 6 * * *');

const at = (iso: string) => new Date(iso);
const MINUTE = 60_000;
/** suncalc's time of an event on a city's day (the Date given is any instant of that local day). */
const event = (city: City, day: string, name: 'sunrise' | 'sunset' | 'dawn' | 'dusk') => {
  const time = getTimes(at(day), city.location.lat, city.location.lon)[name];
  if (!time) throw new Error(`no ${name} on ${day}`);
  return time.getTime();
};

describe('no schedule', () => {
  it('is always active and never changes', () => {
    expect(isActive(undefined, at('2026-11-18T12:00:00Z'), gent)).toBe(true);
    expect(nextChange(undefined, at('2026-11-18T12:00:00Z'), gent)).toBeUndefined();
  });
});

describe('sun windows in Gent, November', () => {
  const sunset = event(gent, '2026-11-18T12:00:00+01:00', 'sunset');
  const sunrise = event(gent, '2026-11-18T12:00:00+01:00', 'sunrise');
  const nextSunrise = event(gent, '2026-11-19T12:00:00+01:00', 'sunrise');

  it('sunset to sunrise is active at night, across midnight, and not at noon', () => {
    expect(isActive(dark, at('2026-11-18T23:00:00+01:00'), gent)).toBe(true);
    expect(isActive(dark, at('2026-11-18T03:00:00+01:00'), gent)).toBe(true);
    expect(isActive(dark, at('2026-11-19T00:00:00+01:00'), gent)).toBe(true);
    expect(isActive(dark, at('2026-11-18T12:00:00+01:00'), gent)).toBe(false);
  });

  it('sunrise to sunset (daylight) is the reverse', () => {
    expect(isActive(daylight, at('2026-11-18T23:00:00+01:00'), gent)).toBe(false);
    expect(isActive(daylight, at('2026-11-18T03:00:00+01:00'), gent)).toBe(false);
    expect(isActive(daylight, at('2026-11-18T12:00:00+01:00'), gent)).toBe(true);
  });

  it('opens exactly at suncalc sunset and closes exactly at sunrise', () => {
    expect(isActive(dark, new Date(sunset - 1), gent)).toBe(false);
    expect(isActive(dark, new Date(sunset), gent)).toBe(true);
    expect(isActive(dark, new Date(sunrise - 1), gent)).toBe(true);
    expect(isActive(dark, new Date(sunrise), gent)).toBe(false);
  });

  it('moves the edges by the offsets', () => {
    const late = sun('sunset', 'sunrise', 30, 30);
    expect(isActive(dark, new Date(sunset + 15 * MINUTE), gent)).toBe(true);
    expect(isActive(late, new Date(sunset + 15 * MINUTE), gent)).toBe(false);
    expect(isActive(late, new Date(sunset + 31 * MINUTE), gent)).toBe(true);
    expect(isActive(dark, new Date(sunrise + 15 * MINUTE), gent)).toBe(false);
    expect(isActive(late, new Date(sunrise + 15 * MINUTE), gent)).toBe(true);
    expect(isActive(late, new Date(sunrise + 31 * MINUTE), gent)).toBe(false);

    const early = sun('sunset', 'sunrise', -45, -45);
    expect(isActive(early, new Date(sunset - 30 * MINUTE), gent)).toBe(true);
    expect(isActive(early, new Date(sunrise - 30 * MINUTE), gent)).toBe(false);

    const lateDaylight = sun('sunrise', 'sunset', 30, 30);
    expect(isActive(lateDaylight, new Date(sunrise + 15 * MINUTE), gent)).toBe(false);
    expect(isActive(lateDaylight, new Date(sunset + 15 * MINUTE), gent)).toBe(true);
  });

  it('civil twilight (dusk to dawn) is a narrower night than sunset to sunrise', () => {
    const dusk = event(gent, '2026-11-18T12:00:00+01:00', 'dusk');
    expect(dusk - sunset).toBeGreaterThan(20 * MINUTE);
    expect(isActive(sun('dusk', 'dawn'), new Date(sunset + 10 * MINUTE), gent)).toBe(false);
    expect(isActive(sun('dusk', 'dawn'), new Date(dusk + MINUTE), gent)).toBe(true);
  });

  it('nextChange returns the next sunset or sunrise, shifted by the offsets', () => {
    const within = (actual: Date | undefined, expected: number) => {
      expect(actual).toBeDefined();
      expect(Math.abs((actual?.getTime() ?? 0) - expected)).toBeLessThan(1_000);
    };
    within(nextChange(dark, at('2026-11-18T12:00:00+01:00'), gent), sunset);
    within(nextChange(dark, at('2026-11-18T03:00:00+01:00'), gent), sunrise);
    within(nextChange(dark, at('2026-11-18T23:00:00+01:00'), gent), nextSunrise);
    within(nextChange(daylight, at('2026-11-18T12:00:00+01:00'), gent), sunset);
    within(
      nextChange(sun('sunset', 'sunrise', 30, 30), at('2026-11-18T12:00:00+01:00'), gent),
      sunset + 30 * MINUTE,
    );
    within(
      nextChange(sun('sunset', 'sunrise', 30, -20), at('2026-11-18T23:00:00+01:00'), gent),
      nextSunrise - 20 * MINUTE,
    );
  });

  it('a window from solar noon to sunset covers the afternoon', () => {
    const afternoon = sun('solarNoon', 'sunset');
    expect(isActive(afternoon, at('2026-11-18T14:00:00+01:00'), gent)).toBe(true);
    expect(isActive(afternoon, at('2026-11-18T10:00:00+01:00'), gent)).toBe(false);
    expect(isActive(afternoon, at('2026-11-18T20:00:00+01:00'), gent)).toBe(false);
  });
});

describe('sun windows at Tromsø: polar day and polar night', () => {
  it('in polar day (late June) sunset to sunrise is never active and daylight always', () => {
    expect(getTimes(at('2026-06-25T12:00:00+02:00'), 69.65, 18.96).sunset).toBeNull();
    for (const time of [
      '2026-06-25T00:30:00+02:00',
      '2026-06-25T12:00:00+02:00',
      '2026-06-28T23:59:00+02:00',
    ]) {
      expect(isActive(dark, at(time), tromso)).toBe(false);
      expect(isActive(daylight, at(time), tromso)).toBe(true);
    }
    expect(nextChange(dark, at('2026-06-25T12:00:00+02:00'), tromso)).toBeUndefined();
    expect(nextChange(daylight, at('2026-06-25T12:00:00+02:00'), tromso)).toBeUndefined();
  });

  it('in polar night (mid December) sunset to sunrise is always active and daylight never', () => {
    expect(getTimes(at('2026-12-15T12:00:00+01:00'), 69.65, 18.96).sunrise).toBeNull();
    for (const time of [
      '2026-12-15T00:30:00+01:00',
      '2026-12-15T12:00:00+01:00',
      '2026-12-18T23:59:00+01:00',
    ]) {
      expect(isActive(dark, at(time), tromso)).toBe(true);
      expect(isActive(daylight, at(time), tromso)).toBe(false);
    }
    expect(nextChange(dark, at('2026-12-15T12:00:00+01:00'), tromso)).toBeUndefined();
    expect(nextChange(daylight, at('2026-12-15T12:00:00+01:00'), tromso)).toBeUndefined();
  });

  it('civil twilight still comes and goes around noon in polar night', () => {
    const dusk = event(tromso, '2026-12-15T12:00:00+01:00', 'dusk');
    const twilight = sun('dusk', 'dawn');
    expect(isActive(twilight, at('2026-12-15T12:00:00+01:00'), tromso)).toBe(false);
    expect(isActive(twilight, at('2026-12-15T20:00:00+01:00'), tromso)).toBe(true);
    expect(nextChange(twilight, at('2026-12-15T12:00:00+01:00'), tromso)?.getTime()).toBe(dusk);
  });

  it('follows the sun through a whole year, polar day and night included', () => {
    // Sunset → sunrise means "the sun is below -0.833°", dusk → dawn "below -6°": away from those
    // altitudes (where suncalc's per-day times and refraction differ by fractions of a degree) they
    // must agree, through the polar periods and their first and last days; the light windows are
    // their exact complements.
    const pairs = [
      { dark, light: daylight, altitude: -0.833 },
      { dark: sun('dusk', 'dawn'), light: sun('dawn', 'dusk'), altitude: -6 },
    ];
    for (const city of [tromso, gent]) {
      const { lat, lon } = city.location;
      for (
        let t = Date.parse('2026-01-01T00:00:00Z');
        t < Date.parse('2027-01-01T00:00:00Z');
        t += 37 * MINUTE
      ) {
        const altitude = getPosition(new Date(t), lat, lon).altitude;
        for (const pair of pairs) {
          const active = isActive(pair.dark, new Date(t), city);
          expect(isActive(pair.light, new Date(t), city)).toBe(!active);
          if (Math.abs(altitude - pair.altitude) > 0.7) {
            expect(active, `${new Date(t).toISOString()} ${city.name}`).toBe(altitude < pair.altitude);
          }
        }
      }
    }
  });
});

describe('cron windows', () => {
  it('is active from 22:00 to 06:00 local time across the spring daylight saving change', () => {
    // 2026-03-29: clocks in Brussels go from 02:00 CET to 03:00 CEST.
    expect(isActive(night, at('2026-03-28T21:59:00+01:00'), gent)).toBe(false);
    expect(isActive(night, at('2026-03-28T22:00:00+01:00'), gent)).toBe(true);
    expect(isActive(night, at('2026-03-28T23:30:00+01:00'), gent)).toBe(true);
    expect(isActive(night, at('2026-03-29T05:59:00+02:00'), gent)).toBe(true);
    expect(isActive(night, at('2026-03-29T06:00:00+02:00'), gent)).toBe(false);
    expect(isActive(night, at('2026-03-29T06:01:00+02:00'), gent)).toBe(false);
    expect(isActive(night, at('2026-03-29T21:59:00+02:00'), gent)).toBe(false);
  });

  it('is active from 22:00 to 06:00 local time across the autumn daylight saving change', () => {
    // 2026-10-25: clocks in Brussels go from 03:00 CEST back to 02:00 CET.
    expect(isActive(night, at('2026-10-24T21:59:00+02:00'), gent)).toBe(false);
    expect(isActive(night, at('2026-10-24T23:30:00+02:00'), gent)).toBe(true);
    expect(isActive(night, at('2026-10-25T02:30:00+02:00'), gent)).toBe(true);
    expect(isActive(night, at('2026-10-25T02:30:00+01:00'), gent)).toBe(true);
    expect(isActive(night, at('2026-10-25T05:59:00+01:00'), gent)).toBe(true);
    expect(isActive(night, at('2026-10-25T06:01:00+01:00'), gent)).toBe(false);
    expect(isActive(night, at('2026-10-25T21:59:00+01:00'), gent)).toBe(false);
  });

  it('nextChange returns the next edge exactly, in local time across the changes', () => {
    expect(nextChange(night, at('2026-03-28T21:59:00+01:00'), gent)).toEqual(at('2026-03-28T22:00:00+01:00'));
    expect(nextChange(night, at('2026-03-28T23:30:00+01:00'), gent)).toEqual(at('2026-03-29T06:00:00+02:00'));
    expect(nextChange(night, at('2026-03-29T06:01:00+02:00'), gent)).toEqual(at('2026-03-29T22:00:00+02:00'));
    expect(nextChange(night, at('2026-10-24T23:30:00+02:00'), gent)).toEqual(at('2026-10-25T06:00:00+01:00'));
    expect(nextChange(night, at('2026-10-25T06:01:00+01:00'), gent)).toEqual(at('2026-10-25T22:00:00+01:00'));
    // At an edge, the next change is the following one.
    expect(nextChange(night, at('2026-10-24T22:00:00+02:00'), gent)).toEqual(at('2026-10-25T06:00:00+01:00'));
  });

  it('reads the expressions in the city time zone', () => {
    const instant = at('2026-11-18T23:30:00+01:00'); // 17:30 in New York
    expect(isActive(night, instant, gent)).toBe(true);
    expect(isActive(night, instant, newYork)).toBe(false);
    expect(nextChange(night, instant, newYork)).toEqual(at('2026-11-18T22:00:00-05:00'));
  });

  it('handles a daytime window and seconds', () => {
    const office = window('0 8 * * 1-5', '30 0 18 * * 1-5');
    expect(isActive(office, at('2026-11-18T12:00:00+01:00'), gent)).toBe(true); // Wednesday
    expect(isActive(office, at('2026-11-18T18:00:29+01:00'), gent)).toBe(true);
    expect(isActive(office, at('2026-11-18T18:00:30+01:00'), gent)).toBe(false);
    expect(isActive(office, at('2026-11-21T12:00:00+01:00'), gent)).toBe(false); // Saturday
    expect(nextChange(office, at('2026-11-20T20:00:00+01:00'), gent)).toEqual(
      at('2026-11-23T08:00:00+01:00'),
    );
  });

  it('needs day of month AND day of week, as node-cron does (classic cron would OR them)', () => {
    const fridayThe13th = window('0 8 13 * 5', '0 9 * * *');
    expect(isActive(fridayThe13th, at('2026-02-13T08:30:00+01:00'), gent)).toBe(true); // Friday 13th
    expect(isActive(fridayThe13th, at('2026-01-13T08:30:00+01:00'), gent)).toBe(false); // Tuesday 13th
    expect(isActive(fridayThe13th, at('2026-01-16T08:30:00+01:00'), gent)).toBe(false); // Friday 16th
    expect(nextChange(fridayThe13th, at('2026-02-10T00:00:00+01:00'), gent)).toEqual(
      at('2026-02-13T08:00:00+01:00'),
    );
    expect(nextChange(fridayThe13th, at('2026-01-14T00:00:00+01:00'), gent)).toBeUndefined(); // 30 days away
  });

  it('stays closed when a start and an end fall on the same instant', () => {
    const hourlyButNotAt6 = window('0 * * * *', '0 6 * * *');
    expect(isActive(hourlyButNotAt6, at('2026-11-18T05:30:00+01:00'), gent)).toBe(true);
    expect(isActive(hourlyButNotAt6, at('2026-11-18T06:30:00+01:00'), gent)).toBe(false);
    expect(nextChange(hourlyButNotAt6, at('2026-11-18T05:30:00+01:00'), gent)).toEqual(
      at('2026-11-18T06:00:00+01:00'),
    );
    expect(nextChange(hourlyButNotAt6, at('2026-11-18T06:30:00+01:00'), gent)).toEqual(
      at('2026-11-18T07:00:00+01:00'),
    );
  });

  it('nextChange is undefined when nothing changes within 8 days', () => {
    const newYearsDay = window('0 0 1 1 *', '0 0 2 1 *');
    expect(isActive(newYearsDay, at('2026-01-01T12:00:00+01:00'), gent)).toBe(true);
    expect(nextChange(newYearsDay, at('2026-06-01T00:00:00+02:00'), gent)).toBeUndefined();
    expect(nextChange(newYearsDay, at('2025-12-28T00:00:00+01:00'), gent)).toEqual(
      at('2026-01-01T00:00:00+01:00'),
    );
  });

  it('changes only at instants node-cron itself fires on', () => {
    const schedules = [night, window('*/20 7-9 * * 1-5', '0 10 * * *'), window('0 8 13 * 5', '0 9 * * *')];
    for (const city of [gent, newYork]) {
      for (const schedule of schedules) {
        if (schedule.type !== 'cron') continue;
        const tasks = [schedule.start, schedule.end].map((expression) =>
          cron.createTask(expression, () => undefined, { timezone: city.timezone }),
        );
        try {
          let time = at('2026-03-01T00:00:00Z');
          for (let changes = 0; changes < 40; changes++) {
            const next = nextChange(schedule, time, city);
            if (!next) break;
            expect(tasks.some((task) => task.match(next))).toBe(true);
            expect(isActive(schedule, next, city)).not.toBe(isActive(schedule, time, city));
            time = next;
          }
        } finally {
          for (const task of tasks) void task.destroy();
        }
      }
    }
  });
});

describe('nextChange agrees with isActive', () => {
  const schedules: [string, Schedule, City][] = [
    ['dark Gent', dark, gent],
    ['dark with offsets Gent', sun('sunset', 'sunrise', 45, -30), gent],
    ['twilight Tromsø', sun('dusk', 'dawn'), tromso],
    ['dark Tromsø', dark, tromso],
    ['daylight with offsets Tromsø', sun('sunrise', 'sunset', -60, 90), tromso],
    ['morning Tromsø', sun('sunrise', 'solarNoon'), tromso],
    ['night cron Gent', night, gent],
  ];
  for (const [name, schedule, city] of schedules) {
    it(`for ${name} over a year`, () => {
      const step = schedule.type === 'cron' ? 61 * 3_600_000 : 11 * 3_600_000 + 17 * MINUTE;
      for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += step) {
        const now = isActive(schedule, new Date(t), city);
        const next = nextChange(schedule, new Date(t), city);
        const until = next?.getTime() ?? t + 8 * 86_400_000;
        for (let k = 1; k <= 8; k++) {
          const between = t + ((until - t) * k) / 9;
          expect(isActive(schedule, new Date(between), city), new Date(between).toISOString()).toBe(now);
        }
        if (next) {
          expect(next.getTime()).toBeGreaterThan(t);
          expect(isActive(schedule, new Date(next.getTime() - 1), city)).toBe(now);
          expect(isActive(schedule, next, city), next.toISOString()).toBe(!now);
        }
      }
    });
  }
});

describe('validateSchedule', () => {
  it('accepts valid cron windows, sun windows and no schedule', () => {
    expect(validateSchedule(night)).toBeUndefined();
    expect(validateSchedule(window('0 0 L * *', '0 0 * * 1#2'))).toBeUndefined();
    expect(validateSchedule(window('@daily', '*/15 9-17 * JAN-MAR MON-FRI'))).toBeUndefined();
    expect(validateSchedule(dark)).toBeUndefined();
    expect(validateSchedule(undefined)).toBeUndefined();
  });

  it('names the field and the reason for an invalid expression', () => {
    expect(validateSchedule(window('0 25 * * *', '0 6 * * *'))).toMatch(
      /^schedule\.start: "0 25 \* \* \*" .*hour/,
    );
    expect(validateSchedule(window('0 22 * * *', 'at six'))).toMatch(/^schedule\.end: "at six" /);
    expect(validateSchedule(window('0 22 * * *', '0 0 31 2 *'))).toMatch(/^schedule\.end: .*impossible/);
    expect(scheduleIssue(window('0 22 * * *', '1 2 3 4 5 6 7'))).toEqual({
      path: ['schedule', 'end'],
      message: expect.stringContaining('expected 5 or 6 fields'),
    });
  });

  it('rejects node-cron syntax the evaluator cannot walk', () => {
    expect(cron.validate('0 0 15W * *')).toBe(true);
    expect(validateSchedule(window('0 0 15W * *', '0 6 * * *'))).toMatch(
      /^schedule\.start: .*cannot evaluate/,
    );
  });

  it('isActive refuses an invalid schedule', () => {
    expect(() => isActive(window('0 25 * * *', '0 6 * * *'), at('2026-11-18T12:00:00Z'), gent)).toThrow(
      /invalid schedule/,
    );
  });
});
