import { describe, expect, it } from 'vitest';
import { defaultSortChunk, sortedInTurns } from '../../../../cloud/lifecycle/sorted-in-turns.ts';

const byNumber = (a: number, b: number) => a - b;

/** A pause that counts itself, and the log of what was sorted by the time each pause came. */
function counted() {
  const pauses: number[] = [];
  let sorted = 0;
  return {
    pauses,
    compare: (a: number, b: number) => {
      sorted++;
      return a - b;
    },
    pause: async () => {
      pauses.push(sorted);
    },
  };
}

/** A fixed sequence of pseudo-random integers in [0, range). */
function numbers(n: number, range: number, seed = 1): number[] {
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % range;
  });
}

describe('sortedInTurns', () => {
  it.each([
    [0, 3],
    [1, 3],
    [2, 3],
    [3, 3],
    [4, 3],
    [7, 3],
    [9, 3],
    [10, 1],
    [100, 7],
    [1000, 64],
    [257, 256],
  ])('sorts %i items in chunks of %i as one sort would', async (n, chunk) => {
    const items = numbers(n, 50, n + chunk);
    const given = [...items];
    const sorted = [...(await sortedInTurns(items, byNumber, { chunk, pause: async () => undefined }))];
    expect(sorted).toEqual(given.toSorted(byNumber));
    expect(items).toEqual(given);
  });

  it('pauses between chunks, not before the first nor after the last', async () => {
    const c = counted();
    const items = numbers(10, 100);
    await sortedInTurns(items, c.compare, { chunk: 4, pause: c.pause });
    // Three chunks (4, 4, 2): a pause after each of the first two sorts, each with comparisons before it.
    const [first = 0, second = 0] = c.pauses;
    expect(c.pauses).toHaveLength(2);
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    const one = counted();
    await sortedInTurns(numbers(4, 100), one.compare, { chunk: 4, pause: one.pause });
    expect(one.pauses).toEqual([]);
  });

  it('sorts one chunk per turn of the event loop by default', async () => {
    // Another task that takes a turn at a time: it gets turns only if the sort gives them.
    const ticks: number[] = [];
    const spin = (async () => {
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        ticks.push(i);
      }
    })();
    const items = numbers(defaultSortChunk * 2 + 1, 1_000);
    const sorted = await sortedInTurns(items, byNumber);
    const turnsMeanwhile = ticks.length;
    await spin;
    expect([...sorted]).toEqual(items.toSorted(byNumber));
    // Three chunks, two pauses of one turn each.
    expect(turnsMeanwhile).toBeGreaterThanOrEqual(2);
  });

  it('keeps equal items in the order they had, across chunks', async () => {
    const items = numbers(200, 5).map((key, at) => ({ key, at }));
    const sorted = [
      ...(await sortedInTurns(items, (a, b) => a.key - b.key, { chunk: 7, pause: async () => undefined })),
    ];
    expect(sorted).toEqual(items.toSorted((a, b) => a.key - b.key || a.at - b.at));
  });

  it('merges chunks whose heads tie and whose lengths differ', async () => {
    const items = [5, 1, 1, 5, 1, 1, 5, 0, 9, 9, 0];
    const sorted = [...(await sortedInTurns(items, byNumber, { chunk: 3, pause: async () => undefined }))];
    expect(sorted).toEqual([0, 0, 1, 1, 1, 1, 5, 5, 5, 9, 9]);
  });

  it('refuses a chunk of less than one item', async () => {
    await expect(sortedInTurns([1], byNumber, { chunk: 0 })).rejects.toThrow(
      /chunk must be at least 1, got 0/,
    );
    await expect(sortedInTurns([1], byNumber, { chunk: Number.NaN })).rejects.toThrow(/got NaN/);
  });
});
