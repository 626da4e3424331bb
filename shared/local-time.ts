/**
 * Local time in a city's time zone (IANA name), for the cloud and the console alike: wall-clock parts,
 * the offset from UTC at an instant, and local days (23, 24 or 25 hours long around daylight-saving
 * changes). Pure (the process's TZ only picks how a wall clock is read); instants are milliseconds
 * since the epoch.
 */
export const hourMs = 3_600_000;

export type WallClock = Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;

const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** Node's environment; undefined in a browser (the console shares this module). */
const processEnv = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;

/**
 * Whether `timeZone` is the process's own, the zone of V8's local time: the one TZ names in Node (the
 * process's environment, or `process.env.TZ` set in the main thread: Node applies it at once; a worker
 * thread's env is a copy, so setting it there does nothing). Area/Location names and UTC only: ICU
 * drops a TZ of three or four letters whose offset the C library sees otherwise (CET or EST without
 * the system's zoneinfo files), and V8 then keeps UTC. One difference remains: V8 caches a zone's
 * offsets assuming at most one change in 19 days, so where a zone changes twice within that (Vienna
 * 1945, Recife October 2000; Gaza and Hebron's predicted rules from 2040) it may miss the short
 * period, depending on the order of the calls (docs/benchmarks.md, issue 18).
 */
function isProcessZone(timeZone: string): boolean {
  return timeZone === processEnv?.TZ && (timeZone === 'UTC' || timeZone.includes('/'));
}

/**
 * The local calendar date (month 1–12) and wall-clock time of `ms` in `timeZone`. In the process's
 * own zone, from V8's local time; otherwise from an `Intl.DateTimeFormat`. The same ICU rules either
 * way, but the first formatter maps ICU's date formatting data, ~7.5 MB of RSS: the edge agent runs
 * in its city's zone so that its simulators need none (docs/benchmarks.md, issue 18).
 */
export function wallClockAt(ms: number, timeZone: string): WallClock {
  if (isProcessZone(timeZone)) {
    const local = new Date(ms);
    return {
      year: local.getFullYear(),
      month: local.getMonth() + 1,
      day: local.getDate(),
      hour: local.getHours(),
      minute: local.getMinutes(),
      second: local.getSeconds(),
    };
  }
  return Object.fromEntries(
    formatFor(timeZone)
      .formatToParts(new Date(ms))
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, Number(p.value)]),
  ) as WallClock;
}

/** How far `timeZone` is ahead of UTC at the instant `ms` (milliseconds; +3_600_000 for CET). */
export function offsetAt(ms: number, timeZone: string): number {
  const p = wallClockAt(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of local midnight starting the given calendar date (month 1–12; a day past the month's
 * end rolls over). The offset is taken at the midnight itself, not at the instant asked about: on a
 * day that changes to summer time the offset at noon differs from the one at midnight.
 */
export function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  let guess = wall - offsetAt(wall, timeZone);
  // Twice: the first guess may sit on the other side of a change of offset.
  for (let i = 0; i < 2; i++) guess = wall - offsetAt(guess, timeZone);
  return guess;
}

/**
 * The start of the local day holding `ms`. (Zones that skip midnight itself when they change offset,
 * a few in South America and the Middle East, get that one day's start an hour off.)
 */
export function localDayStart(ms: number, timeZone: string): number {
  const p = wallClockAt(ms, timeZone);
  return localMidnight(p.year, p.month, p.day, timeZone);
}

/** The start of the local day after the one starting at `dayStart`. */
export function nextLocalDay(dayStart: number, timeZone: string): number {
  // 26 hours on is always inside the next day (days last 23 to 25 hours).
  return localDayStart(dayStart + 26 * hourMs, timeZone);
}
