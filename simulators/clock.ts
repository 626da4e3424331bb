/**
 * Simulated time: starts at `startAt` and runs `speed` times faster than the wall clock, so a day
 * of a city can be replayed in minutes.
 */
export function simulatedClock(options: {
  speed: number;
  startAt?: Date;
  wallClock?: () => number;
}): () => Date {
  const wall = options.wallClock ?? Date.now;
  const realStart = wall();
  const simStart = options.startAt?.getTime() ?? realStart;
  return () => new Date(simStart + (wall() - realStart) * options.speed);
}
