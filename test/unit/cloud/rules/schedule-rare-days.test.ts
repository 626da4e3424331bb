import { describe, expect, it } from 'vitest';
import { isActive, nextChange } from '../../../../cloud/rules/schedule.ts';
import type { Schedule } from '../../../../cloud/rules/schema.ts';
import type { City } from '../../../../shared/fleet.ts';

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
