/**
 * Bucket arithmetic of the rollups: UTC hours, and local days in a tenant's time zone (23, 24 or 25
 * hours long around daylight-saving changes). Pure; instants are milliseconds since the epoch.
 */
import { hourMs, localDayStart } from '../../shared/local-time.ts';

/** The start of the UTC hour holding `ms`. */
export function hourStart(ms: number): number {
  return Math.floor(ms / hourMs) * hourMs;
}

/** The local days (their starts) that hold the given hours, ascending, each once. */
export function daysOf(hours: Iterable<number>, timeZone: string): number[] {
  const days = new Set<number>();
  for (const hour of hours) days.add(localDayStart(hour, timeZone));
  return [...days].sort((a, b) => a - b);
}

/** The hour starts in [from, to), `from` rounded down to its hour. */
export function hoursBetween(from: number, to: number): number[] {
  const hours: number[] = [];
  for (let h = hourStart(from); h < to; h += hourMs) hours.push(h);
  return hours;
}
