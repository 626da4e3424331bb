import { describe, expect, it } from 'vitest';
import { inTimedRuns } from '../../../../cloud/lifecycle/timed-runs.ts';

/**
 * A clock that moves only when an item is worked on (`cost` ms each, by item), and a log of what each
 * run took and where the pauses fell: no real time, so the cuts are exact.
 */
function harness(cost: (item: number) => number) {
  let clock = 0;
  const log: string[] = [];
  const runs: number[][] = [];
  const options = {
    now: () => clock,
    pause: async () => {
      log.push('pause');
    },
  };
  const run = (take: () => number | undefined) => {
    const taken: number[] = [];
    for (let item = take(); item !== undefined; item = take()) {
      clock += cost(item);
      taken.push(item);
    }
    runs.push(taken);
    log.push(`run ${taken.join(',')}`);
  };
  return { options, run, runs, log };
}

const items = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('inTimedRuns', () => {
  it('ends a run once its time reaches the budget, not before, and pauses between runs only', async () => {
    // 1 ms each, 3 ms per run: the fourth item is asked for at exactly 3 ms spent and goes to the next run.
    const h = harness(() => 1);
    await inTimedRuns(items(7), h.run, { ...h.options, budgetMs: 3 });
    expect(h.log).toEqual(['run 0,1,2', 'pause', 'run 3,4,5', 'pause', 'run 6']);
  });

  it('keeps taking while the time spent is just under the budget', async () => {
    const h = harness(() => 0.999);
    await inTimedRuns(items(5), h.run, { ...h.options, budgetMs: 3 });
    expect(h.runs).toEqual([[0, 1, 2, 3], [4]]);
  });

  it('gives every run at least one item, however slow it is', async () => {
    const h = harness((item) => (item === 1 ? 50 : 1));
    await inTimedRuns(items(4), h.run, { ...h.options, budgetMs: 10 });
    expect(h.runs).toEqual([
      [0, 1],
      [2, 3],
    ]);
    const slow = harness(() => 50);
    await inTimedRuns(items(3), slow.run, { ...slow.options, budgetMs: 10 });
    expect(slow.runs).toEqual([[0], [1], [2]]);
  });

  it('runs once without a pause when everything fits, and not at all for no items', async () => {
    const h = harness(() => 1);
    await inTimedRuns(items(3), h.run, { ...h.options, budgetMs: 100 });
    expect(h.log).toEqual(['run 0,1,2']);
    const none = harness(() => 1);
    await inTimedRuns([], none.run, { ...none.options, budgetMs: 100 });
    expect(none.log).toEqual([]);
  });

  it('gives the next run the items a run left untaken', async () => {
    const h = harness(() => 0);
    const takeTwo = (take: () => number | undefined) => {
      h.runs.push([take(), take()].filter((x) => x !== undefined));
    };
    await inTimedRuns(items(5), takeTwo, { ...h.options, budgetMs: 100 });
    expect(h.runs).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('fails, rather than loop, when a run takes nothing; and passes a run’s error on', async () => {
    await expect(
      inTimedRuns(items(2), () => undefined, { budgetMs: 5, pause: async () => {} }),
    ).rejects.toThrow('a run took no item while some were left');
    const failing = inTimedRuns(
      items(2),
      () => {
        throw new Error('disk full');
      },
      { budgetMs: 5 },
    );
    await expect(failing).rejects.toThrow('disk full');
  });

  it('takes from a generator as from an array, reading it no further than one item ahead', async () => {
    const read: number[] = [];
    function* generated() {
      for (const i of items(5)) {
        read.push(i);
        yield i;
      }
    }
    const h = harness(() => 1);
    const readAtRuns: number[] = [];
    await inTimedRuns(
      generated(),
      (take) => {
        h.run(take);
        readAtRuns.push(read.length);
      },
      { ...h.options, budgetMs: 2 },
    );
    expect(h.runs).toEqual([[0, 1], [2, 3], [4]]);
    expect(readAtRuns).toEqual([3, 5, 5]);
  });

  it('starts no further run once its signal is aborted, before the first or during a pause', async () => {
    const h = harness(() => 1);
    const stop = new AbortController();
    await inTimedRuns(items(7), h.run, {
      ...h.options,
      budgetMs: 2,
      pause: async () => {
        if (h.runs.length === 2) stop.abort();
      },
      signal: stop.signal,
    });
    expect(h.runs).toEqual([
      [0, 1],
      [2, 3],
    ]);
    const aborted = harness(() => 1);
    await inTimedRuns(items(3), aborted.run, {
      ...aborted.options,
      budgetMs: 2,
      signal: AbortSignal.abort(),
    });
    expect(aborted.runs).toEqual([]);
  });

  it('times the runs by the real clock by default', async () => {
    const runs: number[][] = [];
    // Each item holds the thread 3 ms (a busy wait, so the time has passed whatever the machine): with
    // a budget of 2 ms, every run ends after its first item.
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    await inTimedRuns(
      items(3),
      (take) => {
        const taken: number[] = [];
        for (let item = take(); item !== undefined; item = take()) {
          busy(3);
          taken.push(item);
        }
        runs.push(taken);
      },
      { budgetMs: 2, pause: async () => {} },
    );
    expect(runs).toEqual([[0], [1], [2]]);
  });

  it('lets the event loop run between two runs by default', async () => {
    const events: string[] = [];
    // Queued before the first run: it runs before the second only if the pause is a turn of the loop.
    setImmediate(() => events.push('event loop'));
    await inTimedRuns(items(2), (take) => events.push(`run ${take()}`), { budgetMs: 0 });
    events.push('done');
    expect(events).toEqual(['run 0', 'event loop', 'run 1', 'done']);
  });
});
