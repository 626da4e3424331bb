import { describe, expect, it, vi } from 'vitest';
import { hourMs, localDayStart, localMidnight, offsetAt, wallClockAt } from '../../../shared/local-time.ts';

const zones = ['Europe/Prague', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
const minuteMs = 60_000;

function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/**
 * Runs `read` with the process in `timeZone` (TZ; Node applies it at once) and, if given, the C
 * library's zoneinfo files in `zoneInfoDir` (TZDIR), then puts both back.
 */
function inProcessZone<T>(timeZone: string | undefined, read: () => T, zoneInfoDir?: string): T {
  const before = { TZ: process.env.TZ, TZDIR: process.env.TZDIR };
  setEnv('TZDIR', zoneInfoDir ?? before.TZDIR);
  setEnv('TZ', timeZone);
  try {
    return read();
  } finally {
    setEnv('TZDIR', before.TZDIR);
    setEnv('TZ', before.TZ);
  }
}

/** The hours (to within 3) at which `timeZone` changes its offset from 2020 to 2029, by the formatter. */
function changesOfOffset(timeZone: string): number[] {
  return inProcessZone(undefined, () => {
    const changes: number[] = [];
    let previous = offsetAt(Date.UTC(2020, 0, 1), timeZone);
    for (let ms = Date.UTC(2020, 0, 1); ms < Date.UTC(2030, 0, 1); ms += 3 * hourMs) {
      const offset = offsetAt(ms, timeZone);
      if (offset !== previous) changes.push(ms);
      previous = offset;
    }
    return changes;
  });
}

/**
 * Instants to compare: every 15 minutes (and a millisecond before) for 4 hours either side of each
 * change of offset from 2020 to 2029, and one every 11 days and a bit (so at all hours) from 1900 to 2100.
 */
function instants(timeZone: string): number[] {
  const out: number[] = [];
  for (const change of changesOfOffset(timeZone))
    for (let ms = change - 4 * hourMs; ms <= change + 4 * hourMs; ms += 15 * minuteMs) out.push(ms, ms - 1);
  for (let ms = Date.UTC(1900, 0, 1); ms < Date.UTC(2100, 0, 1); ms += 267 * hourMs + 61_001) out.push(ms);
  return out;
}

function localTimes(timeZone: string, at: readonly number[]) {
  return at.map((ms) => {
    const wall = wallClockAt(ms, timeZone);
    return [
      wall,
      offsetAt(ms, timeZone),
      localDayStart(ms, timeZone),
      localMidnight(wall.year, wall.month, wall.day + 1, timeZone),
    ];
  });
}

describe('local time in the process own zone (V8 local time, no Intl formatter)', () => {
  for (const timeZone of zones)
    it(`agrees with Intl in ${timeZone} across its changes of offset and two centuries`, () => {
      const at = instants(timeZone);
      // Another zone in TZ: the formatter reads the zone asked for.
      const byIntl = inProcessZone('Pacific/Chatham', () => localTimes(timeZone, at));
      const byProcess = inProcessZone(timeZone, () => localTimes(timeZone, at));
      expect(byProcess).toEqual(byIntl);
    });

  it('compares around each change of offset of the zones that have them', () => {
    expect(changesOfOffset('Europe/Prague')).toHaveLength(20);
    expect(changesOfOffset('Australia/Lord_Howe')).toHaveLength(20);
    expect(changesOfOffset('Asia/Kolkata')).toHaveLength(0);
  });

  it('gives the same known local times either way', () => {
    const summerNoon = Date.UTC(2026, 6, 15, 10);
    for (const tz of [undefined, 'Australia/Lord_Howe']) {
      expect(inProcessZone(tz, () => offsetAt(summerNoon, 'Australia/Lord_Howe'))).toBe(10.5 * hourMs);
      // Lord Howe's summer time is 30 minutes: 02:00 becomes 02:30 on 2026-10-04.
      expect(
        inProcessZone(tz, () => wallClockAt(Date.UTC(2026, 9, 3, 15, 30), 'Australia/Lord_Howe')),
      ).toEqual({
        year: 2026,
        month: 10,
        day: 4,
        hour: 2,
        minute: 30,
        second: 0,
      });
    }
  });

  it('formats nothing in the process own zone', () => {
    const formatted = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    try {
      inProcessZone('America/New_York', () => localDayStart(Date.UTC(2026, 2, 8, 12), 'America/New_York'));
      expect(formatted).not.toHaveBeenCalled();
      inProcessZone('Europe/Prague', () => localDayStart(Date.UTC(2026, 2, 8, 12), 'America/New_York'));
      expect(formatted).toHaveBeenCalled();
    } finally {
      formatted.mockRestore();
    }
  });

  it('reads the zone asked for, not the process one, when they differ', () => {
    const noon = Date.UTC(2026, 0, 15, 12);
    expect(inProcessZone('Asia/Kolkata', () => offsetAt(noon, 'Europe/Prague'))).toBe(hourMs);
    expect(inProcessZone('Asia/Kolkata', () => wallClockAt(noon, 'Europe/Prague').hour)).toBe(13);
  });

  it('does not trust a three- or four-letter TZ, which ICU drops when the C library sees another offset', () => {
    const summer = Date.UTC(2026, 6, 1, 12);
    // Without the system's zoneinfo files the C library takes TZ=CET for UTC, ICU drops it, V8 keeps UTC.
    expect(
      inProcessZone(
        'CET',
        () => new Date(summer).getUTCHours() - new Date(summer).getHours(),
        '/nonexistent',
      ),
    ).toBe(0);
    expect(inProcessZone('CET', () => offsetAt(summer, 'CET'), '/nonexistent')).toBe(2 * hourMs);
  });
});
