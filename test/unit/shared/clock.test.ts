import { describe, expect, it } from 'vitest';
import { realMs, simulatedClock, wallClock } from '../../../shared/clock.ts';

describe('clocks', () => {
  it('a simulated clock starts at startAt at its origin and runs speed times faster', () => {
    let wall = 1_000_000;
    const clock = simulatedClock({
      speed: 60,
      origin: 1_000_000,
      startAt: new Date('2026-06-01T18:00:00Z'),
      wall: () => wall,
    });
    expect(clock.now().toISOString()).toBe('2026-06-01T18:00:00.000Z');
    wall += 1_000;
    expect(clock.now().toISOString()).toBe('2026-06-01T18:01:00.000Z');
    expect(clock.speed).toBe(60);
  });

  it('two simulated clocks of one origin read the same time, whenever they were made', () => {
    let wall = 5_000;
    const first = simulatedClock({ speed: 10, origin: 5_000, wall: () => wall });
    wall = 7_000;
    const second = simulatedClock({ speed: 10, origin: 5_000, wall: () => wall });
    expect(first.now().getTime()).toBe(second.now().getTime());
    expect(second.now().getTime()).toBe(5_000 + 20_000);
  });

  it('without an origin, starts at the wall time it was made', () => {
    const clock = simulatedClock({ speed: 2, wall: () => 42 });
    expect(clock.now().getTime()).toBe(42);
  });

  it('turns clock time into real time', () => {
    expect(realMs(simulatedClock({ speed: 60 }), 60_000)).toBe(1_000);
    expect(realMs(wallClock, 60_000)).toBe(60_000);
    expect(Math.abs(wallClock.now().getTime() - Date.now())).toBeLessThan(1_000);
  });
});
