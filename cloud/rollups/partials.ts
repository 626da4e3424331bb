import type { AggregateFn } from './aggregates.ts';

/**
 * What the rollups keep of a metric in a bucket: enough to answer every aggregate exactly over any
 * union of buckets (a mean is the sum of sums over the sum of counts, never a mean of means).
 */
export interface PartialAggregate {
  sum: number;
  count: number;
  min: number;
  max: number;
}

/** The partial of the union of the readings of `a` and `b`. */
export function combine(a: PartialAggregate, b: PartialAggregate): PartialAggregate {
  return {
    sum: a.sum + b.sum,
    count: a.count + b.count,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

/** The value of `fn` over the readings a partial summarises. */
export function aggregateValue(partial: PartialAggregate, fn: AggregateFn): number {
  switch (fn) {
    case 'mean':
      return partial.sum / partial.count;
    case 'sum':
      return partial.sum;
    case 'min':
      return partial.min;
    case 'max':
      return partial.max;
    case 'count':
      return partial.count;
  }
}

/** Partials keyed by bucket start and group key, combined where both agree. */
export class PartialTable {
  private readonly cells = new Map<string, { start: number; key: string; partial: PartialAggregate }>();

  add(start: number, key: string, partial: PartialAggregate): void {
    if (partial.count === 0) return;
    const id = `${start}\u0000${key}`;
    const cell = this.cells.get(id);
    if (cell) cell.partial = combine(cell.partial, partial);
    else this.cells.set(id, { start, key, partial });
  }

  /** The cells ordered by start, then key. */
  sorted(): { start: number; key: string; partial: PartialAggregate }[] {
    return [...this.cells.values()].sort((a, b) =>
      a.start === b.start ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.start - b.start,
    );
  }
}
