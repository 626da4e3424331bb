import type { Random } from '../random.ts';

export const HOUR_MS = 3_600_000;

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Rounds to a number of decimals; readings carry no more precision than a sensor would. */
export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  // + 0 turns -0 into 0: a reading never carries a negative zero.
  return Math.round(value * factor) / factor + 0;
}

export function hoursBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / HOUR_MS;
}

/** Whether an event with the given rate (per hour) happens in an interval of `hours` (Poisson process). */
export function occurs(random: Random, perHour: number, hours: number): boolean {
  return random.chance(1 - Math.exp(-perHour * hours));
}

/** A Poisson-distributed count: exact (Knuth) for small means, normal approximation for large ones. */
export function poisson(random: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(random.normal(mean, Math.sqrt(mean))));
  const limit = Math.exp(-mean);
  let count = 0;
  let product = random.next();
  while (product > limit) {
    count++;
    product *= random.next();
  }
  return count;
}

/** A bell curve of height 1 centred on `centre` (hours); wraps around midnight. */
export function bump(hour: number, centre: number, width: number): number {
  const distance = Math.min(Math.abs(hour - centre), 24 - Math.abs(hour - centre));
  return Math.exp(-(distance * distance) / (2 * width * width));
}
