import { nextTurn } from './timed-runs.ts';

/**
 * How many items one sort takes between two turns of the event loop by default: ~1.5 ms of sorting
 * records by their ids on a slow machine, where the whole of a busy flush (20,000 devices) is 8 ms
 * held at once and a region's million 1.6 s.
 */
export const defaultSortChunk = 4_096;

export interface SortedInTurnsOptions {
  /** How many items one sort takes (`defaultSortChunk` if not given). */
  chunk?: number;
  /** Waits between two sorts (one turn of the event loop by default). */
  pause?: () => Promise<void>;
}

/**
 * `items` in the order of `compare`, sorted without holding the event loop: chunks of `chunk` items
 * are each sorted in a turn of their own, and the chunks are merged as the result is read (a heap of
 * the chunks' heads: a few comparisons per item, spread over whatever reads it, `inTimedRuns` say).
 * Stable: items that compare equal come in the order they had. `items` is not changed.
 */
export async function sortedInTurns<T>(
  items: readonly T[],
  compare: (a: T, b: T) => number,
  options: SortedInTurnsOptions = {},
): Promise<Iterable<T>> {
  const chunk = options.chunk ?? defaultSortChunk;
  if (!(chunk >= 1)) throw new RangeError(`sortedInTurns: chunk must be at least 1, got ${chunk}`);
  const pause = options.pause ?? nextTurn;
  const runs: T[][] = [];
  for (let start = 0; start < items.length; start += chunk) {
    if (start > 0) await pause();
    runs.push(items.slice(start, start + chunk).sort(compare));
  }
  return merged(runs, compare);
}

/** A sorted run being merged: its items, the next one's position, and the run's place among the runs. */
interface Cursor<T> {
  items: T[];
  at: number;
  place: number;
}

/** The sorted `runs` (none empty) as one sorted sequence; of equal items, the earlier run's first. */
function* merged<T>(runs: T[][], compare: (a: T, b: T) => number): Generator<T> {
  /** Cursor a's next item goes before cursor b's. */
  const before = (a: Cursor<T>, b: Cursor<T>) => {
    const order = compare(a.items[a.at] as T, b.items[b.at] as T);
    return order < 0 || (order === 0 && a.place < b.place);
  };
  // A binary min-heap of the runs' cursors, by their next items.
  const heap = runs.map((items, place): Cursor<T> => ({ items, at: 0, place }));
  const siftDown = (from: number) => {
    for (let i = from; ; ) {
      const left = 2 * i + 1;
      let first = i;
      if (left < heap.length && before(heap[left] as Cursor<T>, heap[first] as Cursor<T>)) first = left;
      if (left + 1 < heap.length && before(heap[left + 1] as Cursor<T>, heap[first] as Cursor<T>))
        first = left + 1;
      if (first === i) return;
      [heap[i], heap[first]] = [heap[first] as Cursor<T>, heap[i] as Cursor<T>];
      i = first;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
  for (let top = heap[0]; top !== undefined; top = heap[0]) {
    yield top.items[top.at++] as T;
    if (top.at === top.items.length) {
      const last = heap.pop() as Cursor<T>;
      if (heap.length === 0) return;
      heap[0] = last;
    }
    siftDown(0);
  }
}
