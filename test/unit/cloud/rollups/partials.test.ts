import { describe, expect, it } from 'vitest';
import { aggregateValue, combine, PartialTable } from '../../../../cloud/rollups/partials.ts';

const of = (values: number[]) => ({
  sum: values.reduce((a, b) => a + b, 0),
  count: values.length,
  min: Math.min(...values),
  max: Math.max(...values),
});

describe('partial aggregates', () => {
  it('combine into the partial of all the readings', () => {
    expect(combine(of([1, 2, 3]), of([-4, 10]))).toEqual(of([1, 2, 3, -4, 10]));
    expect(combine(of([5]), of([7]))).toEqual({ sum: 12, count: 2, min: 5, max: 7 });
  });

  it('give a mean of all readings, not a mean of the means', () => {
    // Means 1 and 10; the mean of the three readings is 4, not 5.5.
    const both = combine(of([1]), of([10, 1]));
    expect(aggregateValue(both, 'mean')).toBe(4);
  });

  it('answer each fn', () => {
    const p = of([2, -3, 7, 4]);
    expect(aggregateValue(p, 'sum')).toBe(10);
    expect(aggregateValue(p, 'count')).toBe(4);
    expect(aggregateValue(p, 'min')).toBe(-3);
    expect(aggregateValue(p, 'max')).toBe(7);
    expect(aggregateValue(p, 'mean')).toBe(2.5);
  });

  it('a table combines cells that share start and key, skips empty ones, and sorts by start then key', () => {
    const table = new PartialTable();
    table.add(2, 'b', of([1]));
    table.add(1, 'z', of([1]));
    table.add(2, 'a', of([1]));
    table.add(2, 'b', of([3]));
    table.add(3, 'a', { sum: 0, count: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY });
    expect(table.sorted()).toEqual([
      { start: 1, key: 'z', partial: of([1]) },
      { start: 2, key: 'a', partial: of([1]) },
      { start: 2, key: 'b', partial: of([1, 3]) },
    ]);
  });
});
