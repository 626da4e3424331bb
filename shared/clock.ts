/**
 * The time the platform reads: the wall clock, or a simulated clock that starts at `startAt` and runs
 * `speed` times faster (a day of a city in minutes). The demo (`npm start` with `SIM_SPEED`) gives one
 * simulated clock to its devices and to its cloud, so that they agree on the time; a deployment keeps
 * the wall clock.
 */
export interface Clock {
  now(): Date;
  /** Clock seconds per real second: 1 for the wall clock. */
  readonly speed: number;
}

export const wallClock: Clock = { now: () => new Date(), speed: 1 };

export interface SimulatedClockOptions {
  speed: number;
  /** The wall-clock instant (ms since the epoch) at which simulated time starts; default: now. */
  origin?: number;
  /** The simulated time at `origin`; default: `origin` itself. */
  startAt?: Date;
  /** For tests: the wall clock read (ms since the epoch). */
  wall?: () => number;
}

/** Simulated time: `startAt` at the wall-clock instant `origin`, then `speed` times as fast. */
export function simulatedClock(options: SimulatedClockOptions): Clock {
  const wall = options.wall ?? Date.now;
  const origin = options.origin ?? wall();
  const start = options.startAt?.getTime() ?? origin;
  const { speed } = options;
  return { now: () => new Date(start + (wall() - origin) * speed), speed };
}

/** The shortest real wait `realMs` gives: a timer of city time fires at most ten times a second. */
export const MIN_TIMER_MS = 100;

/**
 * Real milliseconds that `ms` of the clock's time take, for a timer of city time (a rules tick, a
 * status snapshot, a scheduled job); never less than MIN_TIMER_MS (or `ms` itself, if shorter).
 */
export function realMs(clock: Clock, ms: number): number {
  return Math.max(ms / clock.speed, Math.min(ms, MIN_TIMER_MS));
}
