import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type Transaction, WriteQueue } from '../../../../cloud/postgres/write-queue.ts';

/** A write the test finishes when it likes. */
function deferred() {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { done, finish, fail };
}

/** Transactions that only count themselves: a group's writes share one. */
function transactions() {
  const client = {} as pg.PoolClient;
  const log = { count: 0 };
  const transaction: Transaction = async (fn) => {
    log.count++;
    return fn(client);
  };
  return { transaction, log };
}

const retry = { firstDelayMs: 1, maxDelayMs: 2, giveUpAfterMs: 60_000 };
const gone = () => Object.assign(new Error('terminating connection'), { code: '57P01' });
const refused = () => Object.assign(new Error('duplicate key'), { code: '23505' });

describe('WriteQueue', () => {
  it('runs writes in the order queued, those called together in one transaction', async () => {
    const { transaction, log } = transactions();
    const queue = new WriteQueue(transaction, retry);
    const order: number[] = [];
    const results = [1, 2, 3].map((n) =>
      queue.push(async () => {
        order.push(n);
        return n * 10;
      }),
    );
    expect(await Promise.all(results)).toEqual([10, 20, 30]);
    expect(order).toEqual([1, 2, 3]);
    expect(log.count).toBe(1);
  });

  it('holds the writes queued while a transaction runs, and commits them together after it', async () => {
    const { transaction, log } = transactions();
    const queue = new WriteQueue(transaction, retry);
    const slow = deferred();
    const order: string[] = [];
    const first = queue.push(async () => {
      order.push('first');
      await slow.done;
    });
    await expect.poll(() => order).toEqual(['first']);
    const later = [queue.push(async () => order.push('second')), queue.push(async () => order.push('third'))];
    expect(order).toEqual(['first']);
    slow.finish();
    await Promise.all([first, ...later]);
    expect(order).toEqual(['first', 'second', 'third']);
    expect(log.count).toBe(2);
  });

  it('runs the writes of a group one by one when the database refuses one, each with its own outcome', async () => {
    const { transaction, log } = transactions();
    const queue = new WriteQueue(transaction, retry);
    const runs: string[] = [];
    const ok = queue.push(async (_, attempt) => runs.push(`ok ${attempt}`));
    const bad = queue.push(async () => {
      runs.push('bad');
      throw refused();
    });
    const after = queue.push(async () => runs.push('after'));
    await expect(bad).rejects.toThrow('duplicate key');
    await Promise.all([ok, after]);
    expect(runs).toEqual(['ok 0', 'bad', 'ok 0', 'bad', 'after']);
    expect(log.count).toBe(4);
  });

  it('settles once every write queued before has, failed or not', async () => {
    const { transaction } = transactions();
    const queue = new WriteQueue(transaction, retry);
    const write = deferred();
    const failing = queue.push(() => write.done);
    let settled = false;
    const all = queue.settled().then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    write.fail(refused());
    await expect(failing).rejects.toThrow();
    await all;
    expect(settled).toBe(true);
  });

  describe('when PostgreSQL is unreachable', () => {
    it('tries a group again, telling its writes which attempt it is, and holds the writes behind it', async () => {
      const { transaction } = transactions();
      const queue = new WriteQueue(transaction, retry);
      const order: string[] = [];
      const first = queue.push(async (_, attempt) => {
        order.push(`first ${attempt}`);
        if (attempt < 2) throw gone();
        return 'stored';
      });
      const slow = deferred();
      await expect.poll(() => order.length).toBeGreaterThan(0);
      const second = queue.push(async (_, attempt) => {
        order.push(`second ${attempt}`);
        await slow.done;
      });
      expect(await first).toBe('stored');
      slow.finish();
      await second;
      expect(order).toEqual(['first 0', 'first 1', 'first 2', 'second 0']);
    });

    it('gives up after its time, failing every write of the group with the error', async () => {
      const { transaction } = transactions();
      const queue = new WriteQueue(transaction, { ...retry, giveUpAfterMs: 0 });
      let attempts = 0;
      const writes = [1, 2].map(() =>
        queue.push(async () => {
          attempts++;
          throw gone();
        }),
      );
      for (const write of writes) await expect(write).rejects.toThrow('terminating connection');
      expect(attempts).toBe(1);
    });
  });
});
