import { setTimeout as sleep } from 'node:timers/promises';
import { isConnectionError } from './errors.ts';

/** How long a write waits for PostgreSQL to come back before its caller is told it failed. */
export interface WriteRetry {
  firstDelayMs: number;
  maxDelayMs: number;
  /** After this long since the first attempt, a write that still finds no database fails. */
  giveUpAfterMs: number;
}

/** A restart of PostgreSQL takes seconds; a minute of writes waits for it in memory. */
export const defaultWriteRetry: WriteRetry = { firstDelayMs: 100, maxDelayMs: 5_000, giveUpAfterMs: 60_000 };

/**
 * Writes applied one after another in the order they were queued, for stores that answer from memory
 * at once and write behind: a write starts when the one before it settled, whether it succeeded or
 * not, and its caller gets its own outcome. A write that finds PostgreSQL unreachable is tried again
 * (backing off, the writes behind it waiting) until `retry.giveUpAfterMs`; a write is told which
 * attempt it is, so that one whose first attempt may have committed before the connection broke can
 * make its retry harmless.
 */
export class WriteQueue {
  private readonly retry: WriteRetry;
  private last: Promise<unknown> = Promise.resolve();

  constructor(retry: WriteRetry = defaultWriteRetry) {
    this.retry = retry;
  }

  push<T>(write: (attempt: number) => Promise<T>): Promise<T> {
    const run = () => this.attempt(write);
    const next = this.last.then(run, run);
    this.last = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every write queued so far has settled. */
  settled(): Promise<void> {
    return this.last.then(() => undefined);
  }

  private async attempt<T>(write: (attempt: number) => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await write(attempt);
      } catch (error) {
        if (!isConnectionError(error) || Date.now() - started >= this.retry.giveUpAfterMs) throw error;
        await sleep(Math.min(this.retry.maxDelayMs, this.retry.firstDelayMs * 2 ** attempt));
      }
    }
  }
}
