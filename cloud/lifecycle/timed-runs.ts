/** Lets the event loop run (timers, sockets) before the next run of work. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * How long one run holds the event loop by default (ms): a few ms of work between turns keeps ingest
 * and the API answering, while the turns themselves stay a small share of the time.
 */
export const defaultBudgetMs = 4;

export interface TimedRunsOptions {
  /** How long one run may take before the event loop gets its turn (`defaultBudgetMs` if not given). */
  budgetMs?: number;
  /** Milliseconds, monotonic (`performance.now` by default). */
  now?: () => number;
  /** Waits between two runs (one turn of the event loop by default). */
  pause?: () => Promise<void>;
  /** Once aborted, no further run starts (the work is left where it was: a stopping feature's). */
  signal?: AbortSignal;
}

/**
 * Works through `items` (an array, or a generator over live records) in runs of about `budgetMs`
 * each, with a pause for the event loop between runs: long work on the main thread (saving tens of
 * thousands of records) done without holding the loop, however fast or slow the machine is, where
 * slices of a fixed count take 2 ms on a quiet machine and 40 on a loaded one. `run` is called once
 * per run (one transaction, say) and takes the items with `take`, which gives the next one until the
 * items or the run's time are spent: every run takes at least one item, so a slow item still makes
 * progress. Items a run did not take are the next run's; a generator is read one item ahead.
 */
export async function inTimedRuns<T>(
  items: Iterable<T>,
  run: (take: () => T | undefined) => void,
  options: TimedRunsOptions,
): Promise<void> {
  const now = options.now ?? (() => performance.now());
  const budgetMs = options.budgetMs ?? defaultBudgetMs;
  const pause = options.pause ?? nextTurn;
  const iterator = items[Symbol.iterator]();
  let next = iterator.next();
  for (let first = true; !next.done; first = false) {
    if (!first) await pause();
    if (options.signal?.aborted) return;
    const started = now();
    let taken = 0;
    run(() => {
      if (next.done) return undefined;
      if (taken > 0 && now() - started >= budgetMs) return undefined;
      const item = next.value;
      next = iterator.next();
      taken++;
      return item;
    });
    // A run that took nothing would be called again forever.
    if (taken === 0) throw new Error('inTimedRuns: a run took no item while some were left');
  }
}
