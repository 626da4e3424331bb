import { describe, expect, it } from 'vitest';
import { RateLimiter, RateMeter } from '../../../../cloud/broker/limits.ts';

describe('RateLimiter', () => {
  it('allows a burst, then refuses until time refills the bucket', () => {
    const limiter = new RateLimiter(1, 2);
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([true, true, false]);
    expect(limiter.take('a', 1_000)).toBe(true);
    expect(limiter.take('b', 0)).toBe(true);
  });

  it('gives back an event that did not count, never beyond the burst', () => {
    const limiter = new RateLimiter(1 / 60, 2);
    limiter.take('a', 0);
    limiter.take('a', 0);
    expect(limiter.take('a', 0)).toBe(false);
    limiter.give('a');
    expect(limiter.take('a', 0)).toBe(true);
    for (let i = 0; i < 5; i++) limiter.give('a');
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([true, true, false]);
  });

  it('gives nothing to a key it has not seen', () => {
    const limiter = new RateLimiter(1 / 60, 1);
    limiter.give('new');
    expect([limiter.take('new', 0), limiter.take('new', 0)]).toEqual([true, false]);
  });
});

describe('RateLimiter.reserve', () => {
  it('lets the burst through at once, then gives each event its turn, up to the longest wait', () => {
    const limiter = new RateLimiter(10, 20);
    const waits = Array.from({ length: 20 }, () => limiter.reserve('t', 0, 1_000));
    expect(waits.every((w) => w === 0)).toBe(true);
    expect(limiter.reserve('t', 0, 1_000)).toBe(100);
    expect(limiter.reserve('t', 0, 1_000)).toBe(200);
    for (let i = 3; i < 10; i++) limiter.reserve('t', 0, 1_000);
    // The tenth event past the burst waits exactly the longest wait; the eleventh would wait longer.
    expect(limiter.reserve('t', 0, 1_000)).toBe(1_000);
    expect(limiter.reserve('t', 0, 1_000)).toBeUndefined();
    expect(limiter.reserve('t', 0, 1_000)).toBeUndefined();
    expect(limiter.reserve('t', 100, 1_000)).toBe(1_000);
    expect(limiter.take('t', 100)).toBe(false);
  });

  it('keeps each key in its own bucket', () => {
    const limiter = new RateLimiter(1, 1);
    expect(limiter.reserve('busy', 0, 0)).toBe(0);
    expect(limiter.reserve('busy', 0, 0)).toBeUndefined();
    expect(limiter.reserve('quiet', 0, 0)).toBe(0);
  });
});

describe('RateMeter', () => {
  it('averages the events of the last whole seconds over the window, not the second under way', () => {
    const meter = new RateMeter(10);
    for (let i = 0; i < 30; i++) meter.mark(5_000 + i * 10);
    expect(meter.perSecond(5_999)).toBe(0);
    expect(meter.perSecond(6_000)).toBe(3);
    meter.mark(6_500);
    expect(meter.perSecond(6_999)).toBe(3);
    expect(meter.perSecond(7_000)).toBe(3.1);
  });

  it('forgets a second once it is older than the window', () => {
    const meter = new RateMeter(10);
    meter.mark(5_000);
    expect(meter.perSecond(15_999)).toBe(0.1);
    expect(meter.perSecond(16_000)).toBe(0);
  });

  it('starts a slot afresh when a new second takes it over', () => {
    const meter = new RateMeter(2);
    meter.mark(1_000);
    meter.mark(1_000);
    meter.mark(3_000);
    expect(meter.perSecond(4_000)).toBe(0.5);
  });
});
