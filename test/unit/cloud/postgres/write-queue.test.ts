import { describe, expect, it } from 'vitest';
import { WriteQueue } from '../../../../cloud/postgres/write-queue.ts';

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

describe('WriteQueue', () => {
  it('starts each write when the one before it has settled, in the order queued', async () => {
    const queue = new WriteQueue();
    const started: number[] = [];
    const writes = [deferred(), deferred(), deferred()];
    const results = writes.map((w, i) =>
      queue.push(async () => {
        started.push(i);
        await w.done;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0]);
    writes[0]?.finish();
    await results[0];
    await expect.poll(() => started).toEqual([0, 1]);
    writes[1]?.fail(new Error('refused'));
    await expect(results[1]).rejects.toThrow('refused');
    await expect.poll(() => started).toEqual([0, 1, 2]);
    writes[2]?.finish();
    expect(await results[2]).toBe(2);
  });

  it('settles once every write queued before has, failed or not', async () => {
    const queue = new WriteQueue();
    const write = deferred();
    const failing = queue.push(() => write.done);
    let settled = false;
    const all = queue.settled().then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    write.fail(new Error('refused'));
    await expect(failing).rejects.toThrow();
    await all;
    expect(settled).toBe(true);
  });

  describe('when PostgreSQL is unreachable', () => {
    const retry = { firstDelayMs: 1, maxDelayMs: 2, giveUpAfterMs: 60_000 };
    const gone = () => Object.assign(new Error('terminating connection'), { code: '57P01' });

    it('tries a write again, telling it which attempt it is, and holds the writes behind it', async () => {
      const queue = new WriteQueue(retry);
      const order: string[] = [];
      const first = queue.push(async (attempt) => {
        order.push(`first ${attempt}`);
        if (attempt < 2) throw gone();
        return 'stored';
      });
      const second = queue.push(async (attempt) => {
        order.push(`second ${attempt}`);
      });
      expect(await first).toBe('stored');
      await second;
      expect(order).toEqual(['first 0', 'first 1', 'first 2', 'second 0']);
    });

    it('does not try again a write the database refused', async () => {
      const queue = new WriteQueue(retry);
      let attempts = 0;
      await expect(
        queue.push(async () => {
          attempts++;
          throw Object.assign(new Error('duplicate key'), { code: '23505' });
        }),
      ).rejects.toThrow('duplicate key');
      expect(attempts).toBe(1);
    });

    it('gives up after its time, with the last error', async () => {
      const queue = new WriteQueue({ ...retry, giveUpAfterMs: 0 });
      let attempts = 0;
      await expect(
        queue.push(async () => {
          attempts++;
          throw gone();
        }),
      ).rejects.toThrow('terminating connection');
      expect(attempts).toBe(1);
    });
  });
});
