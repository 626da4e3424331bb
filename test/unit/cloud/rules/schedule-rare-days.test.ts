import { getTimes } from 'suncalc';
import { describe, expect, it } from 'vitest';
import { isActive, nextChange } from '../../../../cloud/rules/schedule.ts';
import type { City } from '../../../../shared/fleet.ts';
import type { Schedule } from '../../../../shared/rules/schema.ts';

/**
 * Days the other schedule tests do not reach: cron walks past whole days that fail the day of week,
 * and sun windows at latitudes where an event is missing for reasons Tromsø does not show.
 */
const gent: City = { name: 'Gent', timezone: 'Europe/Brussels', location: { lat: 51.0543, lon: 3.7174 } };
const tromso: City = { name: 'Tromsø', timezone: 'Europe/Oslo', location: { lat: 69.65, lon: 18.96 } };
/** Civil twilight never comes in mid-December: no dawn and no dusk. */
const longyearbyen: City = {
  name: 'Longyearbyen',
  timezone: 'Arctic/Longyearbyen',
  location: { lat: 78.22, lon: 15.65 },
};
/** In mid-March the sun stays between -6° and -0.833° all day: no sunrise, no sunset, no dawn, no dusk. */
const nearPole: City = { name: 'near the pole', timezone: 'UTC', location: { lat: 89, lon: 0 } };

const window = (start: string, end: string): Schedule => ({ type: 'cron', start, end });
const sun = (from: string, to: string) =>
  ({ type: 'sun', from, to, fromOffsetMinutes: 0, toOffsetMinutes: 0 }) as Schedule;
const at = (iso: string) => new Date(iso);

describe('cron windows over days of more occurrences than the walk takes steps', () => {
  // Every second of a Friday the 13th: 86,400 occurrences on each 13th that is no Friday, which the
  // walk must skip as a whole day (2026-11-13 is a Friday, 2026-12-13 a Sunday).
  it('find the last start across a 13th that is no Friday', () => {
    const fridayThe13th = window('* * * 13 * 5', '0 0 0 1 1 *');
    expect(isActive(fridayThe13th, at('2026-12-14T12:00:00+01:00'), gent)).toBe(true);
    expect(isActive(fridayThe13th, at('2026-11-12T12:00:00+01:00'), gent)).toBe(true); // since 2026-03-13
    expect(isActive(fridayThe13th, at('2026-01-12T12:00:00+01:00'), gent)).toBe(false);
  });

  it('find the next start across a 12th that is no Friday', () => {
    const lateWeek = window('* * * 12-13 * 5', '0 0 0 * * 0');
    expect(isActive(lateWeek, at('2026-11-11T12:00:00+01:00'), gent)).toBe(false);
    expect(nextChange(lateWeek, at('2026-11-11T12:00:00+01:00'), gent)).toEqual(
      at('2026-11-13T00:00:00+01:00'),
    );
  });

  it('an end that matches the day of month but not the day of week does not cancel a start', () => {
    // Closed all Friday the 13th (every start meets an end); Saturday the 14th is no Friday.
    const hourly = window('0 * * * *', '0 * 13,14 * 5');
    expect(isActive(hourly, at('2026-11-13T23:30:00+01:00'), gent)).toBe(false);
    expect(nextChange(hourly, at('2026-11-13T23:30:00+01:00'), gent)).toEqual(
      at('2026-11-14T00:00:00+01:00'),
    );
  });
});

describe('sun windows whose events are missing', () => {
  it('solar noon → dawn is a dark window: active all day when civil dawn never comes', () => {
    for (const time of ['02:00', '10:00', '12:00', '15:00', '22:00']) {
      expect(isActive(sun('solarNoon', 'dawn'), at(`2026-12-15T${time}:00+01:00`), longyearbyen), time).toBe(
        true,
      );
    }
  });

  it('dawn → sunrise is a light window: inactive all day in polar night, though dawn comes', () => {
    for (const time of ['02:00', '09:30', '11:00', '12:00', '22:00']) {
      expect(isActive(sun('dawn', 'sunrise'), at(`2026-12-15T${time}:00+01:00`), tromso), time).toBe(false);
    }
  });

  it('where the sun stays is judged against the altitude of the event that is missing', () => {
    // Below -0.833° (no sunrise) and above -6° (no dusk): neither window has its opening event.
    for (const time of ['02:00', '12:00', '22:00']) {
      const instant = at(`2026-03-13T${time}:00Z`);
      expect(isActive(sun('sunrise', 'dusk'), instant, nearPole), `sunrise → dusk ${time}`).toBe(false);
      expect(isActive(sun('dusk', 'sunrise'), instant, nearPole), `dusk → sunrise ${time}`).toBe(false);
    }
  });
});

describe('a sun window open when the polar day begins', () => {
  // At Tromsø the sun sets for the last time on 2026-05-17 at 22:28 UTC; the next solar day has no
  // sunrise, the sun stays up: the window closes at that day's lowest point of the sun (plus the offset).
  const dark = sun('sunset', 'sunrise');
  const shifted = { ...dark, fromOffsetMinutes: 5, toOffsetMinutes: 30 } as Schedule;
  const lowest = getTimes(at('2026-05-18T12:00:00Z'), 69.65, 18.96).solarNoon.getTime() - 12 * 3_600_000;

  it('runs from the last sunset to the lowest point starting the first day without sunrise', () => {
    expect(isActive(dark, at('2026-05-17T22:35:00Z'), tromso)).toBe(true);
    expect(nextChange(dark, at('2026-05-17T22:35:00Z'), tromso)?.getTime()).toBe(lowest);
    expect(isActive(dark, new Date(lowest), tromso)).toBe(false);
  });

  it('with both ends shifted by their offsets', () => {
    expect(isActive(shifted, at('2026-05-17T22:30:00Z'), tromso)).toBe(false); // before sunset + 5 min
    expect(isActive(shifted, at('2026-05-17T22:35:00Z'), tromso)).toBe(true);
    expect(nextChange(shifted, at('2026-05-17T22:35:00Z'), tromso)?.getTime()).toBe(lowest + 30 * 60_000);
  });
});

describe('a sun window from an event to the same event', () => {
  it('runs to the next occurrence of the event: a whole day, always active', () => {
    const fromSunset = sun('sunset', 'sunset');
    for (const time of ['02:00', '12:00', '22:00']) {
      expect(isActive(fromSunset, at(`2026-11-18T${time}:00+01:00`), gent), time).toBe(true);
    }
  });
});

describe('cron windows on a day without midnight (Santiago, 2026-09-06)', () => {
  const santiago: City = {
    name: 'Santiago',
    timezone: 'America/Santiago',
    location: { lat: -33.45, lon: -70.66 },
  };
  it('skipping back past that day keeps the day before it (Saturday the 5th)', () => {
    const weekendStart = window('0 8 5-6 * 6', '0 0 12 * * 5');
    expect(isActive(weekendStart, at('2026-09-06T12:00:00-03:00'), santiago)).toBe(true);
  });

  it('skipping ahead from the day before it keeps that day (Sunday the 6th)', () => {
    const sundayStart = window('0 8 5-6 * 0', '0 0 12 * * 5');
    expect(nextChange(sundayStart, at('2026-09-04T13:00:00-04:00'), santiago)).toEqual(
      at('2026-09-06T08:00:00-03:00'),
    );
  });
});
