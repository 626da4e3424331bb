import { describe, expect, it } from 'vitest';
import { UplinkTurns } from '../../../../cloud/broker/uplink-turns.ts';
import { defaultBudgetMs } from '../../../../cloud/lifecycle/timed-runs.ts';

/** Turns whose runs the test starts itself, on a clock that each piece of work moves by `costMs`. */
function harness(options: { budgetMs?: number; costMs?: number } = {}) {
  let clock = 0;
  const runs: (() => void)[] = [];
  const done: string[] = [];
  const errors: unknown[] = [];
  const turns = new UplinkTurns<string>({
    budgetMs: options.budgetMs ?? 1_000,
    now: () => clock,
    defer: (run) => runs.push(run),
    onError: (error) => errors.push(error),
  });
  const add = (key: string, count: number) => {
    for (let i = 1; i <= count; i++)
      turns.add(key, () => {
        clock += options.costMs ?? 1;
        done.push(`${key}${i}`);
      });
  };
  /** Starts the run deferred last; false when none is waiting. */
  const runNext = () => {
    const run = runs.shift();
    run?.();
    return run !== undefined;
  };
  return { turns, add, runNext, runs, done, errors, tick: (ms: number) => (clock += ms) };
}

describe('UplinkTurns', () => {
  it('runs nothing before the deferred run, and asks for one run however many are added', () => {
    const h = harness();
    h.add('a', 3);
    h.add('b', 1);
    expect(h.done).toEqual([]);
    expect(h.runs).toHaveLength(1);
  });

  it("takes one message of each connection in turn, each connection's in order", () => {
    const h = harness();
    h.add('a', 3);
    h.add('b', 3);
    h.add('c', 1);
    h.runNext();
    expect(h.done).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'b3']);
    expect(h.runs).toHaveLength(0);
  });

  it('a connection that had nothing waiting takes the next turn, ahead of the backlogs', () => {
    const h = harness({ budgetMs: 2, costMs: 1 });
    for (const key of ['a', 'b', 'c']) h.add(key, 8);
    h.runNext();
    expect(h.done).toEqual(['a1', 'b1']);
    h.add('probe', 1);
    h.runNext();
    expect(h.done).toEqual(['a1', 'b1', 'probe1', 'c1']);
  });

  it('a fresh connection goes first only once: with more waiting it joins the rotation', () => {
    const h = harness();
    h.add('a', 2);
    h.runNext();
    expect(h.done).toEqual(['a1', 'a2']);
    h.add('b', 3);
    h.add('c', 1);
    h.runNext();
    expect(h.done.slice(2)).toEqual(['b1', 'c1', 'b2', 'b3']);
  });

  it('a backlog moves on every round however many fresh connections come', () => {
    const h = harness({ budgetMs: 3, costMs: 1 });
    h.add('heavy', 4);
    h.runNext();
    expect(h.done).toEqual(['heavy1', 'heavy2', 'heavy3']);
    h.add('x', 1);
    h.add('y', 1);
    h.add('z', 1);
    h.add('w', 1);
    h.runNext();
    // The run's budget goes to the fresh ones first; heavy keeps its place and goes next.
    expect(h.done.slice(3)).toEqual(['x1', 'y1', 'z1']);
    h.add('v', 1);
    h.runNext();
    expect(h.done.slice(6)).toEqual(['v1', 'w1', 'heavy4']);
  });

  it('ends a run once its time is spent and goes on where it stopped in the next', () => {
    const h = harness({ budgetMs: 2, costMs: 1 });
    h.add('a', 2);
    h.add('b', 2);
    h.add('c', 2);
    h.runNext();
    expect(h.done).toEqual(['a1', 'b1']);
    expect(h.runs).toHaveLength(1);
    h.runNext();
    // c had no turn yet: it goes first, before a's and b's second messages.
    expect(h.done).toEqual(['a1', 'b1', 'c1', 'a2']);
    h.runNext();
    expect(h.done).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'c2']);
    expect(h.runs).toHaveLength(0);
  });

  it('takes exactly as much as fits: the run stops when the time spent reaches the budget', () => {
    const h = harness({ budgetMs: 3, costMs: 1 });
    h.add('a', 5);
    h.runNext();
    expect(h.done).toHaveLength(3);
  });

  it('takes at least one message in a run, however slow', () => {
    const h = harness({ budgetMs: 1, costMs: 50 });
    h.add('a', 1);
    h.add('b', 1);
    h.runNext();
    expect(h.done).toEqual(['a1']);
    h.runNext();
    expect(h.done).toEqual(['a1', 'b1']);
  });

  it('takes one message in a run whose budget is nothing', () => {
    const h = harness({ budgetMs: 0 });
    h.add('a', 2);
    h.runNext();
    expect(h.done).toEqual(['a1']);
  });

  it('asks for another run when as many backlogs as fresh connections are left', () => {
    const h = harness({ budgetMs: 1, costMs: 1 });
    h.turns.add('a', () => {
      h.tick(1);
      h.done.push('a1');
      h.add('c', 1);
    });
    h.add('b', 1);
    h.runNext();
    expect(h.done).toEqual(['a1']);
    expect(h.runs).toHaveLength(1);
    h.runNext();
    h.runNext();
    expect(h.done).toEqual(['a1', 'c1', 'b1']);
  });

  it('runs after the event loop turns, for about the default budget of its own clock', async () => {
    const done: string[] = [];
    const turns = new UplinkTurns<string>({ onError: () => undefined });
    const started = performance.now();
    turns.add('a', () => {
      // Longer than a run's budget, by the clock the turns read themselves.
      while (performance.now() - started < 2 * defaultBudgetMs);
      done.push('a');
    });
    turns.add('b', () => done.push('b'));
    expect(done).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual(['a']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual(['a', 'b']);
  });

  it('a connection that comes during a run goes first in the next round', () => {
    const h = harness();
    h.add('a', 2);
    h.turns.add('b', () => {
      h.done.push('b1');
      h.add('c', 1);
    });
    h.runNext();
    expect(h.done).toEqual(['a1', 'b1', 'c1', 'a2']);
  });

  it('work added after a run has emptied the rotation asks for a new run', () => {
    const h = harness();
    h.add('a', 1);
    h.runNext();
    h.add('a', 1);
    expect(h.runs).toHaveLength(1);
    h.runNext();
    expect(h.done).toEqual(['a1', 'a1']);
  });

  it('work that throws is reported and the others still run', () => {
    const h = harness();
    const failure = new Error('broken');
    h.turns.add('a', () => {
      throw failure;
    });
    h.add('b', 1);
    h.runNext();
    expect(h.errors).toEqual([failure]);
    expect(h.done).toEqual(['b1']);
  });
});
