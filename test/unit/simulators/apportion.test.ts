import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apportion } from '../../../simulators/apportion.ts';

describe('apportion', () => {
  it('splits exactly when the weights divide the total', () => {
    expect(apportion(100, [60, 25, 15])).toEqual([60, 25, 15]);
    expect(apportion(10, [1, 1])).toEqual([5, 5]);
  });

  it('gives the leftover units to the largest fractions', () => {
    // quotas 3.33.., 3.33.., 3.33..: one leftover unit, to the first of the tie
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    // quotas 0.6, 2.4, 7.0: the leftover unit goes to 0.6, not to the larger weight
    expect(apportion(10, [0.6, 2.4, 7])).toEqual([1, 2, 7]);
    // quotas 1.5, 1.5, 7: floors 1 + 1 + 7 = 9, the one leftover unit to the earlier of the tie
    expect(apportion(10, [1.5, 1.5, 7])).toEqual([2, 1, 7]);
  });

  it('gives every part its minimum first and shares the rest by weight', () => {
    // 40 devices, one of each kind first; 36 shared by 60/25/15/5 (of 105): quotas 20.57, 8.57, 5.14,
    // 1.71; floors 34 + 4; the two leftover units to .71 and to the first .57
    expect(apportion(40, [0.6, 0.25, 0.15, 0.05], 1)).toEqual([22, 9, 6, 3]);
    expect(apportion(4, [0.6, 0.25, 0.15, 0.05], 1)).toEqual([1, 1, 1, 1]);
    expect(apportion(5, [0, 1], 2)).toEqual([2, 3]);
  });

  it('gives a zero weight nothing beyond its minimum', () => {
    expect(apportion(7, [0, 3, 0])).toEqual([0, 7, 0]);
    expect(apportion(9, [0, 3, 0], 1)).toEqual([1, 7, 1]);
  });

  it('handles a total of zero and a single part', () => {
    expect(apportion(0, [1, 2])).toEqual([0, 0]);
    expect(apportion(13, [0.2])).toEqual([13]);
  });

  it('always adds up to the total and stays within one unit of each exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 12 }),
        (total, weights) => {
          const parts = apportion(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          const sum = weights.reduce((a, b) => a + b, 0);
          parts.forEach((part, i) => {
            expect(Math.abs(part - (total * (weights[i] as number)) / sum)).toBeLessThan(1);
          });
        },
      ),
    );
  });

  it('breaks ties towards the earlier parts', () => {
    expect(apportion(2, [1, 1, 1])).toEqual([1, 1, 0]);
    expect(apportion(1, [1, 1, 1, 1])).toEqual([1, 0, 0, 0]);
    expect(apportion(3, [1, 1, 1, 1])).toEqual([1, 1, 1, 0]);
    expect(apportion(11, [1, 1, 1])).toEqual([4, 4, 3]);
  });

  it.each([
    ['a negative total', () => apportion(-1, [1]), 'total must be an integer >= 0, not -1'],
    ['a fractional total', () => apportion(1.5, [1]), 'total must be an integer >= 0, not 1.5'],
    ['a negative minimum', () => apportion(1, [1], -1), 'minimum must be an integer >= 0, not -1'],
    ['a fractional minimum', () => apportion(1, [1], 0.5), 'minimum must be an integer >= 0, not 0.5'],
    ['no weights', () => apportion(1, []), 'no weights to apportion by'],
    ['a negative weight', () => apportion(1, [1, -1]), 'weights must be finite and >= 0: 1, -1'],
    ['an infinite weight', () => apportion(1, [Number.POSITIVE_INFINITY]), 'weights must be finite'],
    ['a weight that is not a number', () => apportion(1, [Number.NaN, 1]), 'weights must be finite'],
    ['weights adding up to 0', () => apportion(1, [0, 0]), 'the weights add up to 0'],
    [
      'a total below the minimums',
      () => apportion(3, [1, 1, 1, 1], 1),
      '3 cannot give 4 parts at least 1 each',
    ],
  ])('refuses %s', (_, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });
});
