import { describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../../../edge/outbox.ts';

interface Item {
  ts: string;
  n: number;
}

const T0 = Date.parse('2026-11-22T16:00:00.000Z');
const item = (n: number): Item => ({ n, ts: new Date(T0 + n * 1_000).toISOString() });
const items = (from: number, count: number) => Array.from({ length: count }, (_, i) => item(from + i));
const ns = (list: Item[]) => list.map((i) => i.n);

describe('MemoryOutbox', () => {
  it('starts empty', () => {
    const outbox = new MemoryOutbox<Item>(10);
    expect(outbox.depth).toBe(0);
    expect(outbox.take(5)).toEqual([]);
    expect(outbox.dropped).toEqual({ count: 0 });
  });

  it('gives items back first in, first out, across pushes', () => {
    const outbox = new MemoryOutbox<Item>(100);
    outbox.push(items(0, 3));
    outbox.push(items(3, 2));
    expect(outbox.depth).toBe(5);
    expect(ns(outbox.take(100))).toEqual([0, 1, 2, 3, 4]);
    expect(outbox.depth).toBe(0);
  });

  it('takes at most max items, leaving the rest in order', () => {
    const outbox = new MemoryOutbox<Item>(100);
    outbox.push(items(0, 7));
    expect(ns(outbox.take(3))).toEqual([0, 1, 2]);
    expect(outbox.depth).toBe(4);
    expect(ns(outbox.take(3))).toEqual([3, 4, 5]);
    expect(ns(outbox.take(3))).toEqual([6]);
    expect(outbox.take(3)).toEqual([]);
    expect(outbox.take(0)).toEqual([]);
  });

  it('hands over items the caller owns: a later push does not change a taken batch', () => {
    const outbox = new MemoryOutbox<Item>(100);
    outbox.push(items(0, 2));
    const taken = outbox.take(2);
    outbox.push(items(2, 2));
    expect(ns(taken)).toEqual([0, 1]);
  });

  it('accepts an empty push', () => {
    const outbox = new MemoryOutbox<Item>(2);
    outbox.push([]);
    expect(outbox.depth).toBe(0);
    expect(outbox.dropped).toEqual({ count: 0 });
  });

  it('keeps exactly maxItems without dropping', () => {
    const outbox = new MemoryOutbox<Item>(5);
    outbox.push(items(0, 5));
    expect(outbox.depth).toBe(5);
    expect(outbox.dropped.count).toBe(0);
  });

  it('drops the oldest items when full, counting them with their time range', () => {
    const outbox = new MemoryOutbox<Item>(5);
    outbox.push(items(0, 4));
    outbox.push(items(4, 3)); // 7 items: 0 and 1 go
    expect(outbox.depth).toBe(5);
    expect(outbox.dropped).toEqual({ count: 2, from: item(0).ts, to: item(1).ts });
    expect(ns(outbox.take(10))).toEqual([2, 3, 4, 5, 6]);
  });

  it('drops part of a single push that is larger than the outbox', () => {
    const outbox = new MemoryOutbox<Item>(3);
    outbox.push(items(0, 10));
    expect(outbox.dropped).toEqual({ count: 7, from: item(0).ts, to: item(6).ts });
    expect(ns(outbox.take(10))).toEqual([7, 8, 9]);
  });

  it('accumulates drops: from stays at the first dropped item, to moves to the latest', () => {
    const outbox = new MemoryOutbox<Item>(2);
    outbox.push(items(0, 3)); // drops 0
    outbox.take(1); // takes 1
    outbox.push(items(3, 3)); // [2,3,4,5] -> drops 2, 3
    expect(outbox.dropped).toEqual({ count: 3, from: item(0).ts, to: item(3).ts });
    expect(ns(outbox.take(5))).toEqual([4, 5]);
  });

  it('keeps order, depth and drop accounting through many cycles and compactions', () => {
    const max = 3_000;
    const outbox = new MemoryOutbox<Item>(max);
    const expected: number[] = []; // a plain model of the queue
    let next = 0;
    let droppedCount = 0;
    let firstDropped: number | undefined;
    let lastDropped: number | undefined;
    const received: number[] = [];
    // Pushes and takes of varying sizes; the queue fills past max (drops) and drains (head > 1024 compactions).
    const plan = [
      [2_500, 100],
      [1_500, 2_000],
      [700, 1_300],
      [4_000, 10],
      [50, 2_999],
      [1_200, 1_100],
      [2_100, 700],
      [0, 5_000],
      [3_500, 1_500],
      [10, 1],
    ] as const;
    for (const [pushCount, takeCount] of plan) {
      const batch = items(next, pushCount);
      next += pushCount;
      outbox.push(batch);
      expected.push(...ns(batch));
      while (expected.length > max) {
        const lost = expected.shift() as number;
        droppedCount++;
        firstDropped ??= lost;
        lastDropped = lost;
      }
      expect(outbox.depth).toBe(expected.length);
      const taken = ns(outbox.take(takeCount));
      expect(taken).toEqual(expected.splice(0, takeCount));
      received.push(...taken);
      expect(outbox.depth).toBe(expected.length);
    }
    expect(droppedCount).toBeGreaterThan(0);
    expect(outbox.dropped).toEqual({
      count: droppedCount,
      from: item(firstDropped ?? -1).ts,
      to: item(lastDropped ?? -1).ts,
    });
    // Everything pushed was either received once, dropped once, or is still queued: nothing duplicated or lost.
    const rest = ns(outbox.take(Number.MAX_SAFE_INTEGER));
    expect(received.length + droppedCount + rest.length).toBe(next);
    expect(new Set([...received, ...rest]).size).toBe(received.length + rest.length);
    for (let i = 1; i < received.length; i++) expect(received[i]).toBeGreaterThan(received[i - 1] as number);
  });

  it('stays consistent when taken one by one past the compaction threshold', () => {
    const outbox = new MemoryOutbox<Item>(10_000);
    outbox.push(items(0, 2_500));
    for (let n = 0; n < 2_400; n++) {
      const [taken] = outbox.take(1);
      expect(taken?.n).toBe(n);
    }
    expect(outbox.depth).toBe(100);
    outbox.push(items(2_500, 5));
    expect(outbox.depth).toBe(105);
    expect(ns(outbox.take(200))).toEqual(Array.from({ length: 105 }, (_, i) => 2_400 + i));
  });
});
