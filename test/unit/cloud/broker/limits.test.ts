import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../../cloud/broker/limits.ts';

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
