import { getPosition, getTimes, times as sunTimeAngles } from 'suncalc';
import type { Location } from '../../shared/fleet.ts';
import type { Schedule } from '../../shared/rules/schema.ts';

/** Sun windows of rule schedules (see schedule.ts), computed with suncalc for the city's coordinates. */
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Sun windows

type SunSchedule = Extract<Schedule, { type: 'sun' }>;
type SunEvent = SunSchedule['from'];

const ALTITUDE: Record<SunEvent, number> = {
  sunrise: angleOf('sunrise'),
  sunset: angleOf('sunrise'),
  dawn: angleOf('dawn'),
  dusk: angleOf('dawn'),
  solarNoon: Number.NaN, // always occurs
};

function angleOf(riseName: string): number {
  // Stryker disable next-line all: suncalc has both rows; the error below is unreachable
  const row = sunTimeAngles.find(([, rise]) => rise === riseName);
  // Stryker disable next-line all: suncalc has both rows; this error is unreachable
  if (!row) throw new Error(`suncalc has no ${riseName} time`);
  return row[0];
}

/** One solar day at a place: its events (null when they do not occur) and, for those, whether the sun stays above. */
interface SunDay {
  noon: number;
  events: Record<SunEvent, number | null>;
  staysAbove: Record<SunEvent, boolean>;
}

const sunDays = new Map<string, SunDay>();

/** Solar day number (days since 1970-01-01 in local mean time at the longitude) of an instant. */
function solarDayOf(t: number, where: Location): number {
  // Stryker disable next-line ArithmeticOperator: only the day labels shift; windows are collected from 4 days back to 2 ahead
  return Math.floor((t + (where.lon / 360) * DAY_MS) / DAY_MS);
}

function sunDay(day: number, where: Location): SunDay {
  const key = `${where.lat},${where.lon},${day}`;
  const cached = sunDays.get(key);
  // Stryker disable next-line ConditionalExpression: a cache; missing it only costs time
  if (cached) return cached;
  // Local mean noon of the day: suncalc then picks exactly this solar day.
  // Stryker disable next-line ArithmeticOperator: only the day labels shift; windows are collected from 4 days back to 2 ahead
  const anchor = new Date(day * DAY_MS + DAY_MS / 2 - (where.lon / 360) * DAY_MS);
  const result = getTimes(anchor, where.lat, where.lon);
  const noon = result.solarNoon.getTime();
  const time = (date: Date | null) => (date && Number.isFinite(date.getTime()) ? date.getTime() : null);
  const events: Record<SunEvent, number | null> = {
    sunrise: time(result.sunrise),
    sunset: time(result.sunset),
    dawn: time(result.dawn),
    dusk: time(result.dusk),
    solarNoon: noon,
  };
  // Where the sun stays when an event is missing: the mean of its highest and lowest altitude is on
  // the same side of the event's altitude as the whole day is.
  const middle =
    (getPosition(new Date(noon), where.lat, where.lon).altitude +
      getPosition(new Date(noon - DAY_MS / 2), where.lat, where.lon).altitude) /
    2;
  const staysAbove = {} as Record<SunEvent, boolean>;
  // Stryker disable next-line EqualityOperator: a mean altitude exactly at -0.833° or -6° does not occur
  for (const event of Object.keys(events) as SunEvent[]) staysAbove[event] = middle > ALTITUDE[event];
  const entry: SunDay = { noon, events, staysAbove };
  // Stryker disable next-line all: the cache's bound; a cache; missing it only costs time or memory
  if (sunDays.size >= 20_000) sunDays.clear();
  sunDays.set(key, entry);
  return entry;
}

const EVENING = new Set<SunEvent>(['sunset', 'dusk']);
const MORNING = new Set<SunEvent>(['sunrise', 'dawn']);

/** A "dark" window (sunset → sunrise) is active in polar night, a "light" one in polar day. */
function isDark(schedule: SunSchedule): boolean {
  return EVENING.has(schedule.from) || (schedule.from === 'solarNoon' && MORNING.has(schedule.to));
}

/** On a day without the from or to event: whether the window is active all that day. */
function forcedActive(day: SunDay, schedule: SunSchedule): boolean {
  const missing = day.events[schedule.from] === null ? schedule.from : schedule.to;
  return isDark(schedule) ? !day.staysAbove[missing] : day.staysAbove[missing];
}

/** How far back the window of a day can still matter, and the scan limit for its end. */
const DAYS_BACK = 4;
const MAX_SCAN_DAYS = 400;

/**
 * The window opened on a solar day, as [start, end); end is Infinity when it lies beyond
 * `horizon`. Undefined when nothing opens that day.
 */
function windowOf(
  schedule: SunSchedule,
  day: number,
  horizon: number,
  where: Location,
): [number, number] | undefined {
  const today = sunDay(day, where);
  const fromOffset = schedule.fromOffsetMinutes * 60_000;
  const toOffset = schedule.toOffsetMinutes * 60_000;
  let opens = today.events[schedule.from];
  if (opens === null) {
    if (!forcedActive(today, schedule)) return undefined;
    opens = today.noon - DAY_MS / 2; // the sun's lowest point starting the day
  }
  // Stryker disable next-line EqualityOperator: the scan limit; no window stays open 400 days
  for (let d = day; d < day + MAX_SCAN_DAYS; d++) {
    // Stryker disable next-line ConditionalExpression: the same (cached) day either way
    const current = d === day ? today : sunDay(d, where);
    const nadir = current.noon - DAY_MS / 2;
    // Stryker disable next-line all: an early stop; ends past the horizon change no answer
    if (nadir - 3_600_000 + toOffset > horizon) break; // any end from here on lies past the horizon
    const closes = current.events[schedule.to];
    if (closes !== null) {
      if (closes > opens) return [opens + fromOffset, closes + toOffset];
      continue;
    }
    if (forcedActive(current, schedule)) continue;
    // Forced inactive. On the opening day itself the window does not open: the whole day follows
    // where the sun stays (solar noon → sunset stays shut in polar night). On a later day the
    // window ends at the sun's lowest point that starts it. (An event computed for the day before
    // can fall a few minutes past that lowest point: the window is then empty.)
    if (d === day) return undefined;
    return [opens + fromOffset, Math.max(nadir, opens) + toOffset];
  }
  return [opens + fromOffset, Number.POSITIVE_INFINITY];
}

/** The windows that can cover instants in [from, horizon]. */
export function sunWindows(
  schedule: SunSchedule,
  from: number,
  horizon: number,
  where: Location,
): [number, number][] {
  const windows: [number, number][] = [];
  const last = solarDayOf(horizon, where) + 2;
  // Stryker disable next-line EqualityOperator: the last day is a margin past the horizon
  for (let day = solarDayOf(from, where) - DAYS_BACK; day <= last; day++) {
    const window = windowOf(schedule, day, horizon, where);
    // Stryker disable next-line all: an empty or reversed window covers no instant and changes no answer
    if (window && window[1] > window[0]) windows.push(window);
  }
  return windows;
}

export function covered(windows: [number, number][], t: number): boolean {
  return windows.some(([start, end]) => start <= t && t < end);
}

export function sunNextChange(
  schedule: SunSchedule,
  t: number,
  limit: number,
  where: Location,
): number | undefined {
  const windows = sunWindows(schedule, t, limit, where);
  const now = covered(windows, t);
  // Stryker disable next-line EqualityOperator: at an edge equal to t the state is the current one; one exactly at the limit does not occur
  const ahead = [...new Set(windows.flat())].filter((edge) => edge > t && edge <= limit);
  // Stryker disable next-line ArrowFunction,ArithmeticOperator,MethodExpression: the edges are already in time order
  const edges = ahead.sort((a, b) => a - b);
  return edges.find((edge) => covered(windows, edge) !== now);
}
