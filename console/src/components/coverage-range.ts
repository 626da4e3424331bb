import { localDate, localDay } from './local-day.ts';

/**
 * What the map's coverage layer shows: on or off, a day of the city (yyyy-mm-dd, in the tenant's time
 * zone) and an hour of it, counted from its midnight ('' = all of it).
 */
export interface CoveragePick {
  on: boolean;
  day: string;
  hour: string;
}

/** The city's date now. */
export function today(timeZone: string, now = new Date()): string {
  return localDate(now, timeZone);
}

const hourMs = 3_600_000;

/**
 * The range the pick asks the API for: one hour, or the city's day from its midnight. The API's day
 * is 24 hours from `from`: a 23-hour day (summer time begins) is asked as it is, a 25-hour one loses
 * its last hour (it would be a second bucket of one hour).
 */
export function coverageRange({ day, hour }: CoveragePick, timeZone: string) {
  const { from, to } = localDay(day, timeZone);
  if (hour === '')
    return {
      from: new Date(from),
      to: new Date(Math.min(to, from + 24 * hourMs)),
      granularity: 'day' as const,
    };
  const start = from + Number(hour) * hourMs;
  return { from: new Date(start), to: new Date(start + hourMs), granularity: 'hour' as const };
}
