/**
 * Active schedules of rules: when a rule is evaluated at all.
 *
 * Cron windows (`{ type: 'cron', start, end }`) are node-cron expressions read in the city's
 * time zone. The window is active at an instant when the most recent `start` occurrence at or
 * before it is later than the most recent `end` occurrence at or before it: it opens at a start,
 * closes at the next end, and is closed when a start and an end fall on the same instant.
 * Expressions have node-cron's meaning exactly (node-cron 4 is the project's scheduler): they are
 * parsed by node-cron, including its rule that day of month AND day of week must both match
 * (classic cron ORs them); cron-parser, fed node-cron's parsed fields, only walks occurrences
 * backwards and forwards in the time zone. Local times that a daylight saving change skips never
 * occur (node-cron never fires then either); local times it repeats occur twice. isActive and
 * nextChange throw on an expression that validateSchedule rejects: validate rules when they are saved.
 *
 * Sun windows (`{ type: 'sun', from, to, ...OffsetMinutes }`) use suncalc for the city's
 * coordinates. For each day, the window runs from that day's `from` event to the first `to`
 * event after it (so sunset → sunrise crosses midnight), each shifted by its offset; an offset
 * that makes a window end before it starts leaves that night's window empty. Days are the city's
 * solar days (local mean time at its longitude), so the result does not depend on the time zone.
 *
 * Polar day and night: on a day when the `from` or `to` event does not occur (the sun stays above
 * or below its altitude all day: -0.833° for sunrise/sunset, -6° for dawn/dusk), the state for the
 * whole day follows where the sun stays. A "dark" window — one that starts at an evening event
 * (sunset, dusk), or runs from solar noon to a morning event — is active all day when the sun stays
 * below the missing event's altitude and inactive when it stays above; a "light" window (starting
 * at sunrise or dawn, or from solar noon to an evening event) the reverse. So sunset → sunrise is
 * inactive throughout polar day and active throughout polar night, and sunrise → sunset is the
 * opposite. A window that is open when the polar period begins runs on through a "dark in polar
 * night" stretch to the first `to` event after it, and ends at the sun's lowest point on the first
 * day of a stretch where it is forced inactive.
 */
import { type CronExpression, CronExpressionParser } from 'cron-parser';
import cron from 'node-cron';
import { getPosition, getTimes, times as sunTimeAngles } from 'suncalc';
import type { City, Location } from '../../shared/fleet.ts';
import type { Schedule } from './schema.ts';

/** nextChange looks this far ahead. */
const HORIZON_MS = 8 * 86_400_000;
const DAY_MS = 86_400_000;

/** Whether the rule's schedule is active at `at` for the city (no schedule = always active). */
export function isActive(schedule: Schedule | undefined, at: Date, city: City): boolean {
  if (!schedule) return true;
  const t = at.getTime();
  if (schedule.type === 'cron') return cronActive(schedule, t, city.timezone);
  return covered(sunWindows(schedule, t, t, city.location), t);
}

/** The next instant after `at` when isActive changes (for timer-driven re-evaluation), or undefined if never within 8 days. */
export function nextChange(schedule: Schedule | undefined, at: Date, city: City): Date | undefined {
  if (!schedule) return undefined;
  const t = at.getTime();
  const limit = t + HORIZON_MS;
  const next =
    schedule.type === 'cron'
      ? cronNextChange(schedule, t, limit, city.timezone)
      : sunNextChange(schedule, t, limit, city.location);
  return next === undefined ? undefined : new Date(next);
}

/** What is wrong with a schedule, with the field path within a rule; undefined when it is valid. */
export function scheduleIssue(
  schedule: Schedule | undefined,
): { path: ['schedule', 'start' | 'end']; message: string } | undefined {
  if (schedule?.type !== 'cron') return undefined;
  for (const field of ['start', 'end'] as const) {
    const message = cronIssue(schedule[field]);
    if (message) return { path: ['schedule', field], message };
  }
  return undefined;
}

/** An error message naming the field (`schedule.start` or `schedule.end`) for an invalid cron expression. */
export function validateSchedule(schedule: Schedule | undefined): string | undefined {
  const issue = scheduleIssue(schedule);
  return issue && `${issue.path.join('.')}: ${issue.message}`;
}

// ---------------------------------------------------------------------------------------------
// Cron windows

type CronSchedule = Extract<Schedule, { type: 'cron' }>;

/** A node-cron expression compiled for cron-parser; `filter` carries node-cron's day-of-week AND. */
interface CompiledCron {
  primary: CronExpression;
  filter: CronExpression | undefined;
  timezone: string;
}

function cronIssue(expression: string): string | undefined {
  const detailed = cron.validateDetailed(expression);
  if (!detailed.valid) {
    const reasons = detailed.errors.map((error) => error.message).join('; ');
    return `"${expression}" is not a valid node-cron expression (${reasons})`;
  }
  try {
    compile(expression, 'UTC');
    return undefined;
  } catch (error) {
    return `"${expression}" is valid node-cron syntax that schedules cannot evaluate (${(error as Error).message})`;
  }
}

const FULL = { second: 60, minute: 60, hour: 24, dayOfMonth: 31, month: 12, dayOfWeek: 7 } as const;
const compiled = new Map<string, CompiledCron>();
const midnights = new Map<string, CronExpression>();

function compile(expression: string, timezone: string): CompiledCron {
  const key = `${timezone}\n${expression}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  const fields = cron.parse(expression); // throws on what node-cron rejects
  const text = (name: keyof typeof FULL) => {
    const values = fields[name];
    const full = values.length === FULL[name] && values.every((value) => typeof value === 'number');
    return full ? '*' : values.join(',');
  };
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = (
    ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const
  ).map(text);
  const parse = (dom: string | undefined, dow: string | undefined) =>
    CronExpressionParser.parse(`${second} ${minute} ${hour} ${dom} ${month} ${dow}`, { tz: timezone });
  // node-cron needs day of month AND day of week; cron-parser would OR them when both are set.
  const both = dayOfMonth !== '*' && dayOfWeek !== '*';
  const result: CompiledCron = {
    primary: parse(dayOfMonth, both ? '*' : dayOfWeek),
    filter: both ? parse('*', dayOfWeek) : undefined,
    timezone,
  };
  if (compiled.size >= 1_000) compiled.clear();
  compiled.set(key, result);
  return result;
}

function compileOrThrow(expression: string, timezone: string): CompiledCron {
  try {
    return compile(expression, timezone);
  } catch (error) {
    throw new Error(`invalid schedule: ${cronIssue(expression) ?? (error as Error).message}`);
  }
}

/** Step limit for walking occurrences; beyond it an expression is treated as not occurring. */
const MAX_STEPS = 20_000;

/** Latest occurrence at or before `t`, in node-cron's sense. */
function prevOccurrence(c: CompiledCron, t: number): number | undefined {
  let from = t + 1;
  for (let step = 0; step < MAX_STEPS; step++) {
    const candidate = rawPrev(c.primary, from);
    if (candidate === undefined) return undefined;
    if (!c.filter || c.filter.includesDate(new Date(candidate))) return candidate;
    // Every occurrence on this local day fails the day-of-week test: go on from its start.
    from = startOfLocalDay(candidate, c.timezone) ?? candidate;
  }
  return undefined;
}

/** Earliest occurrence after `t` and at most `limit`, in node-cron's sense. */
function nextOccurrence(c: CompiledCron, t: number, limit: number): number | undefined {
  let after = t;
  for (let step = 0; step < MAX_STEPS; step++) {
    const candidate = rawNext(c.primary, after);
    if (candidate === undefined || candidate > limit) return undefined;
    if (!c.filter || c.filter.includesDate(new Date(candidate))) return candidate;
    const nextDay = startOfNextLocalDay(candidate, c.timezone);
    after = nextDay === undefined ? candidate : nextDay - 1;
  }
  return undefined;
}

function includes(c: CompiledCron, t: number): boolean {
  const date = new Date(t);
  return c.primary.includesDate(date) && (!c.filter || c.filter.includesDate(date));
}

/**
 * Occurrence strictly before `before`. cron-parser's prev() gives up on days whose first hour a
 * daylight saving change skips (America/Santiago, Havana, Beirut); next() does not, so then start
 * further back and walk forward.
 */
function rawPrev(expression: CronExpression, before: number): number | undefined {
  try {
    expression.reset(new Date(before));
    return expression.prev().getTime();
  } catch {
    for (const back of [2 * DAY_MS, 9 * DAY_MS, 40 * DAY_MS, 400 * DAY_MS, 3_000 * DAY_MS]) {
      let found: number;
      try {
        expression.reset(new Date(before - back));
        found = expression.prev().getTime();
      } catch {
        continue;
      }
      for (let step = 0; step < MAX_STEPS * 10; step++) {
        const next = rawNext(expression, found);
        if (next === undefined || next >= before) return found;
        found = next;
      }
      return undefined;
    }
    return undefined;
  }
}

function rawNext(expression: CronExpression, after: number): number | undefined {
  try {
    expression.reset(new Date(after));
    return expression.next().getTime();
  } catch {
    return undefined;
  }
}

function midnight(timezone: string): CronExpression {
  let expression = midnights.get(timezone);
  if (!expression) {
    expression = CronExpressionParser.parse('0 0 0 * * *', { tz: timezone });
    midnights.set(timezone, expression);
  }
  return expression;
}

/** Local midnight starting the day of `t`, if that day has one. */
function startOfLocalDay(t: number, timezone: string): number | undefined {
  const start = rawPrev(midnight(timezone), t + 1);
  return start !== undefined && localDate(start, timezone) === localDate(t, timezone) ? start : undefined;
}

/** Local midnight starting the day after the day of `t`, if it directly follows. */
function startOfNextLocalDay(t: number, timezone: string): number | undefined {
  const next = rawNext(midnight(timezone), t);
  return next !== undefined && localDate(next - 1, timezone) === localDate(t, timezone) ? next : undefined;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function localDate(t: number, timezone: string): string {
  let format = dateFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dateFormats.set(timezone, format);
  }
  return format.format(t);
}

/**
 * The state of a cron window holds from the last start or end occurrence to the next one; walking
 * occurrences in a time zone costs tens of microseconds, so remember that stretch per window.
 */
const stretches = new Map<string, { from: number; until: number; active: boolean }>();

function cronActive(schedule: CronSchedule, t: number, timezone: string): boolean {
  const key = `${timezone}\n${schedule.start}\n${schedule.end}`;
  const known = stretches.get(key);
  if (known && known.from <= t && t < known.until) return known.active;
  const start = compileOrThrow(schedule.start, timezone);
  const end = compileOrThrow(schedule.end, timezone);
  const lastStart = prevOccurrence(start, t) ?? Number.NEGATIVE_INFINITY;
  const lastEnd = prevOccurrence(end, t) ?? Number.NEGATIVE_INFINITY;
  const active = lastStart > lastEnd;
  const limit = t + HORIZON_MS;
  const until = Math.min(nextOccurrence(start, t, limit) ?? limit, nextOccurrence(end, t, limit) ?? limit);
  if (stretches.size >= 10_000) stretches.clear();
  stretches.set(key, { from: Math.max(lastStart, lastEnd), until, active });
  return active;
}

function cronNextChange(
  schedule: CronSchedule,
  t: number,
  limit: number,
  timezone: string,
): number | undefined {
  const start = compileOrThrow(schedule.start, timezone);
  const end = compileOrThrow(schedule.end, timezone);
  // Open: the next end closes it (a start at the same instant does not keep it open).
  if (cronActive(schedule, t, timezone)) return nextOccurrence(end, t, limit);
  // Closed: the next start opens it, unless an end falls on the same instant.
  for (let after = t, step = 0; step < MAX_STEPS; step++) {
    const next = nextOccurrence(start, after, limit);
    if (next === undefined) return undefined;
    if (!includes(end, next)) return next;
    after = next;
  }
  return undefined;
}

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
  const row = sunTimeAngles.find(([, rise]) => rise === riseName);
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
  return Math.floor((t + (where.lon / 360) * DAY_MS) / DAY_MS);
}

function sunDay(day: number, where: Location): SunDay {
  const key = `${where.lat},${where.lon},${day}`;
  const cached = sunDays.get(key);
  if (cached) return cached;
  // Local mean noon of the day: suncalc then picks exactly this solar day.
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
  for (const event of Object.keys(events) as SunEvent[]) staysAbove[event] = middle > ALTITUDE[event];
  const entry: SunDay = { noon, events, staysAbove };
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
  for (let d = day; d < day + MAX_SCAN_DAYS; d++) {
    const current = d === day ? today : sunDay(d, where);
    const nadir = current.noon - DAY_MS / 2;
    if (nadir - 3_600_000 + toOffset > horizon) break; // any end from here on lies past the horizon
    const closes = current.events[schedule.to];
    if (closes !== null) {
      if (closes > opens) return [opens + fromOffset, closes + toOffset];
      continue;
    }
    if (forcedActive(current, schedule)) continue;
    // Forced inactive: the window ends at the sun's lowest point that starts this day, or, on the
    // opening day itself, at the one that ends it. (An event computed for the day before can fall
    // a few minutes past that lowest point: the window is then empty.)
    const lowest = d === day ? current.noon + DAY_MS / 2 : Math.max(nadir, opens);
    return [opens + fromOffset, lowest + toOffset];
  }
  return [opens + fromOffset, Number.POSITIVE_INFINITY];
}

/** The windows that can cover instants in [from, horizon]. */
function sunWindows(
  schedule: SunSchedule,
  from: number,
  horizon: number,
  where: Location,
): [number, number][] {
  const windows: [number, number][] = [];
  const last = solarDayOf(horizon, where) + 2;
  for (let day = solarDayOf(from, where) - DAYS_BACK; day <= last; day++) {
    const window = windowOf(schedule, day, horizon, where);
    if (window && window[1] > window[0]) windows.push(window);
  }
  return windows;
}

function covered(windows: [number, number][], t: number): boolean {
  return windows.some(([start, end]) => start <= t && t < end);
}

function sunNextChange(schedule: SunSchedule, t: number, limit: number, where: Location): number | undefined {
  const windows = sunWindows(schedule, t, limit, where);
  const now = covered(windows, t);
  const edges = [...new Set(windows.flat())]
    .filter((edge) => edge > t && edge <= limit)
    .sort((a, b) => a - b);
  return edges.find((edge) => covered(windows, edge) !== now);
}
