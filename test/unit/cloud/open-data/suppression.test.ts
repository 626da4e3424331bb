import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isSmall,
  suppressDailySums,
  suppressHourlySums,
  suppressSmall,
} from '../../../../cloud/open-data/suppression.ts';
import type { AggregateRow } from '../../../../cloud/rollups/aggregates.ts';

const k = 4;
const day = '2026-11-29T23:00:00.000Z';
/** Every hour of these tests is on one local day, except where a test says otherwise. */
const oneDay = () => day;

const hoursOf = (values: number[], key = 'centrum'): AggregateRow[] =>
  values.map((value, i) => ({
    start: new Date(Date.parse(day) + i * 3_600_000).toISOString(),
    key,
    value,
    readings: 6,
  }));
const dayRow = (values: number[], key = 'centrum'): AggregateRow => ({
  start: day,
  key,
  value: values.reduce((a, b) => a + b, 0),
  readings: 6 * values.length,
});

/** What the public sees of one unit's day: each hour's value (null when suppressed) and the day's total. */
function published(values: number[]) {
  const hours = suppressHourlySums(hoursOf(values), k, oneDay).cells.map((c) => c.value);
  const [total] = suppressDailySums([dayRow(values)], hoursOf(values), k, oneDay);
  return { hours, total: total?.value ?? null };
}

describe('primary suppression', () => {
  it('hides counts from 1 to k - 1, publishes 0 and k', () => {
    expect([0, 1, 3, 4].map((v) => isSmall(v, k))).toEqual([false, true, true, false]);
    expect(suppressSmall(hoursOf([0, 1, 3, 4]), k).map((c) => [c.value, c.suppressed])).toEqual([
      [0, false],
      [null, true],
      [null, true],
      [4, false],
    ]);
  });
});

describe('complementary suppression of hourly sums', () => {
  it('hides the hours after a small one until the hidden hours of the day add up to k', () => {
    expect(published([10, 2, 1, 9, 7]).hours).toEqual([10, null, null, null, 7]);
  });

  it('hides the day when its last hidden hours add up to less than k', () => {
    expect(published([10, 9, 2])).toEqual({ hours: [10, 9, null], total: null });
    expect(published([10, 2, 9])).toEqual({ hours: [10, null, null], total: 21 });
  });

  it('starts again on each local day and for each unit', () => {
    const rows = [
      { start: '2026-11-29T22:00:00.000Z', key: 'centrum', value: 2, readings: 1 },
      { start: '2026-11-29T22:00:00.000Z', key: 'lazne', value: 9, readings: 1 },
      // 23:00 UTC is midnight in Prague: a new local day.
      { start: '2026-11-29T23:00:00.000Z', key: 'centrum', value: 9, readings: 1 },
      { start: '2026-11-29T23:00:00.000Z', key: 'lazne', value: 9, readings: 1 },
    ];
    const dayOf = (start: string) => (start < '2026-11-29T23:00:00.000Z' ? 'sunday' : 'monday');
    const { cells, shortDays } = suppressHourlySums(rows, k, dayOf);
    expect(cells.map((c) => c.value)).toEqual([null, 9, 9, 9]);
    expect([...shortDays]).toEqual(['centrum sunday']);
  });

  it('never changes its mind: an hour published on a prefix of the day stays published', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 24 }), (values) => {
        const whole = suppressHourlySums(hoursOf(values), k, oneDay).cells;
        for (let n = 1; n < values.length; n++)
          expect(suppressHourlySums(hoursOf(values.slice(0, n)), k, oneDay).cells).toEqual(whole.slice(0, n));
      }),
    );
  });

  it('leaves the hidden hours of a published day adding up to 0 or at least k', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 24 }), (values) => {
        const { hours, total } = published(values);
        if (total === null) return;
        const hidden = total - hours.reduce<number>((sum, v) => sum + (v ?? 0), 0);
        expect(hidden === 0 || hidden >= k).toBe(true);
      }),
    );
  });

  it('lets no one recover a hidden hour from the published hours and the day total', () => {
    // The attacker knows the rule, k, the published hours and the day's total when it is published:
    // every hidden hour must still have two or more values consistent with all of it. Without a
    // published total the hidden values are enumerated up to a bound (12) that is enough to show it.
    const small = fc.integer({ min: 0, max: 3 });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(small, fc.integer({ min: 0, max: 7 })), { minLength: 2, maxLength: 5 }),
        (values) => {
          const seen = published(values);
          const hiddenAt = seen.hours.flatMap((v, i) => (v === null ? [i] : []));
          fc.pre(hiddenAt.length > 0 && hiddenAt.length <= 3);
          const shownSum = seen.hours.reduce<number>((sum, v) => sum + (v ?? 0), 0);
          const candidates: number[][] = [];
          const consider = (guess: number[]) => {
            if (JSON.stringify(published(guess)) === JSON.stringify(seen))
              candidates.push(hiddenAt.map((i) => guess[i] as number));
          };
          const fill = (at: number, guess: number[]) => {
            const position = hiddenAt[at] as number;
            if (seen.total !== null && at === hiddenAt.length - 1) {
              // The total fixes the last hidden hour.
              const rest = hiddenAt.slice(0, at).reduce((sum, i) => sum + (guess[i] as number), 0);
              const last = seen.total - shownSum - rest;
              if (last >= 0) consider(guess.map((v, i) => (i === position ? last : v)));
              return;
            }
            if (at === hiddenAt.length) return consider(guess);
            const bound = seen.total === null ? 12 : seen.total - shownSum;
            for (let v = 0; v <= bound; v++)
              fill(
                at + 1,
                guess.map((g, i) => (i === position ? v : g)),
              );
          };
          fill(0, values);
          hiddenAt.forEach((hour, j) => {
            expect(new Set(candidates.map((c) => c[j])).size, `hour ${hour} of ${values}`).toBeGreaterThan(1);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
