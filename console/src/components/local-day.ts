/**
 * Days and hours on the city's clock (the tenant's time zone), whatever the browser's zone: the map's
 * coverage picker asks for a local day of the city, which lasts 23, 24 or 25 hours. The arithmetic is
 * shared/local-time.ts, the one the cloud's rollups use; this adds the picker's yyyy-mm-dd dates.
 */
import { hourMs, localMidnight as midnightOf, wallClockAt } from '../../../shared/local-time.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** The city's date (yyyy-mm-dd) at an instant. */
export function localDate(at: Date, timeZone: string): string {
  const p = wallClockAt(at.getTime(), timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** The instant the city's clock shows midnight starting a date (yyyy-mm-dd); the date may overflow (day 32). */
export function localMidnight(date: string, timeZone: string, addDays = 0): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return midnightOf(y, m, d + addDays, timeZone);
}

/** A local day: its first instant and the next day's (23, 24 or 25 hours later). */
export function localDay(date: string, timeZone: string): { from: number; to: number } {
  return { from: localMidnight(date, timeZone), to: localMidnight(date, timeZone, 1) };
}

/** The hours of a local day, each with its start and end on the city's clock (`03:00–04:00`). */
export function localHours(date: string, timeZone: string): { start: number; label: string }[] {
  const { from, to } = localDay(date, timeZone);
  const clock = (at: number) => {
    const p = wallClockAt(at, timeZone);
    return `${pad(p.hour)}:${pad(p.minute)}`;
  };
  return Array.from({ length: Math.round((to - from) / hourMs) }, (_, i) => {
    const start = from + i * hourMs;
    return { start, label: `${clock(start)}–${clock(start + hourMs)}` };
  });
}
