/**
 * Days and hours on the city's clock (the tenant's time zone), whatever the browser's zone: the map's
 * coverage picker asks for a local day of the city, which lasts 23, 24 or 25 hours.
 */
const hourMs = 3_600_000;

const wallClocks = new Map<string, Intl.DateTimeFormat>();
function wallClock(timeZone: string): Intl.DateTimeFormat {
  let format = wallClocks.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClocks.set(timeZone, format);
  }
  return format;
}

type Parts = Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
function partsAt(at: number, timeZone: string): Parts {
  return Object.fromEntries(
    wallClock(timeZone)
      .formatToParts(at)
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, Number(p.value)]),
  ) as Parts;
}

/** How far the zone's wall clock is ahead of UTC at an instant (ms). */
export function zoneOffsetMs(at: number, timeZone: string): number {
  const p = partsAt(at, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at / 1000) * 1000;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The city's date (yyyy-mm-dd) at an instant. */
export function localDate(at: Date, timeZone: string): string {
  const p = partsAt(at.getTime(), timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** The instant the city's clock shows midnight starting a date (yyyy-mm-dd); the date may overflow (day 32). */
export function localMidnight(date: string, timeZone: string, addDays = 0): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d + addDays);
  // The offset at the wall time read as UTC, then again at the instant found: right across a change.
  const first = wall - zoneOffsetMs(wall, timeZone);
  return wall - zoneOffsetMs(first, timeZone);
}

/** A local day: its first instant and the next day's (23, 24 or 25 hours later). */
export function localDay(date: string, timeZone: string): { from: number; to: number } {
  return { from: localMidnight(date, timeZone), to: localMidnight(date, timeZone, 1) };
}

/** The hours of a local day, each with its start and end on the city's clock (`03:00–04:00`). */
export function localHours(date: string, timeZone: string): { start: number; label: string }[] {
  const { from, to } = localDay(date, timeZone);
  const clock = (at: number) => {
    const p = partsAt(at, timeZone);
    return `${pad(p.hour)}:${pad(p.minute)}`;
  };
  return Array.from({ length: Math.round((to - from) / hourMs) }, (_, i) => {
    const start = from + i * hourMs;
    return { start, label: `${clock(start)}–${clock(start + hourMs)}` };
  });
}
