import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../edge/backoff.ts';

const policy = { initialMs: 1_000, maxMs: 60_000 };
const top = () => 1 - Number.EPSILON;
const bottom = () => 0;

describe('backoffDelay', () => {
  it('doubles the ceiling with every attempt', () => {
    expect([0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(policy, attempt, top))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000,
    ]);
  });

  it('caps the ceiling at maxMs, also for huge attempt counts', () => {
    for (const attempt of [6, 7, 20, 1_100, Number.MAX_SAFE_INTEGER]) {
      expect(backoffDelay(policy, attempt, top)).toBe(60_000);
      expect(backoffDelay(policy, attempt, bottom)).toBe(30_000);
    }
  });

  it('treats a negative attempt as the first', () => {
    expect(backoffDelay(policy, -3, top)).toBe(1_000);
  });

  it('puts half of the ceiling fixed and the other half random', () => {
    expect(backoffDelay(policy, 3, bottom)).toBe(4_000);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(6_000);
    expect(backoffDelay(policy, 3, top)).toBe(8_000);
  });

  it('calls the random function once per delay', () => {
    let calls = 0;
    backoffDelay(policy, 2, () => {
      calls++;
      return 0.25;
    });
    expect(calls).toBe(1);
  });

  it('always stays within [ceiling / 2, ceiling] and returns whole milliseconds', () => {
    const odd = { initialMs: 15, maxMs: 1_001 };
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(odd.maxMs, odd.initialMs * 2 ** attempt);
      for (let i = 0; i <= 100; i++) {
        const r = Math.min(i / 100, top());
        const delay = backoffDelay(odd, attempt, () => r);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('spreads a fleet: different random draws give different delays', () => {
    const delays = new Set([0, 0.2, 0.4, 0.6, 0.8].map((r) => backoffDelay(policy, 4, () => r)));
    expect(delays.size).toBe(5);
  });
});
