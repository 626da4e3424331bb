import { bump } from './math.ts';

/**
 * Daily activity curves, relative (about 1 at the busiest time of a weekday).
 * `hour` is local and fractional, `weekday` 0 = Sunday.
 */

function isWeekend(weekday: number): boolean {
  return weekday === 0 || weekday === 6;
}

/** Pedestrians: morning, lunch and evening peaks on weekdays; one broad afternoon peak at weekends. */
export function pedestrians(hour: number, weekday: number): number {
  const nightlife = weekday === 5 || weekday === 6 ? 0.3 * bump(hour, 23, 1.5) : 0;
  if (isWeekend(weekday)) {
    return 0.03 + (weekday === 0 ? 0.6 : 0.9) * bump(hour, 14.5, 3) + nightlife;
  }
  return (
    0.03 +
    0.25 * bump(hour, 14, 4) +
    0.6 * bump(hour, 8, 1) +
    0.8 * bump(hour, 12.5, 1.2) +
    0.7 * bump(hour, 17.5, 1.3) +
    nightlife
  );
}

/** Road traffic: rush hours on weekdays, a lower midday hump at weekends. */
export function traffic(hour: number, weekday: number): number {
  if (isWeekend(weekday)) return 0.04 + (weekday === 0 ? 0.4 : 0.55) * bump(hour, 14, 4);
  return 0.04 + 0.35 * bump(hour, 13, 4.5) + 0.7 * bump(hour, 8, 1.2) + 0.65 * bump(hour, 17.5, 1.5);
}

/** Litter thrown into public bins: little at night, most in the afternoon, a third more at weekends. */
export function litter(hour: number, weekday: number): number {
  return (0.05 + 0.95 * bump(hour, 13.5, 4.5)) * (isWeekend(weekday) ? 1.4 : 1);
}
