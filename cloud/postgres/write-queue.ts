import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
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

/** One write: its statements on the transaction's connection; `attempt` counts from 0. */
export type Write<T> = (client: pg.PoolClient, attempt: number) => Promise<T>;

/** Runs `fn` in one transaction (cloud/postgres/pool.ts `inTransaction` on a pool). */
export type Transaction = <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

interface Queued {
  write: Write<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Writes committed together at most: one commit (one flush to disk) for all of them. */
const maxBatch = 500;

/**
 * Writes applied one after another in the order they were queued, for stores that answer from memory
 * at once and write behind. The writes waiting when the one before them finishes go together in one
 * transaction (a group commit: one flush to disk for all), still in order; if the database refuses
 * one of them, the group is rolled back and its writes run one by one, so each caller gets its own
 * outcome. A group that finds PostgreSQL unreachable is tried again (backing off, the writes behind it
 * waiting) until `retry.giveUpAfterMs`. A write is told which attempt it is, so that one whose first
 * attempt may have committed before the connection broke can make its retry harmless.
 */
export class WriteQueue {
  private readonly transaction: Transaction;
  private readonly retry: WriteRetry;
  private readonly waiting: Queued[] = [];
  private draining = false;
  private last: Promise<unknown> = Promise.resolve();

  constructor(transaction: Transaction, retry: WriteRetry = defaultWriteRetry) {
    this.transaction = transaction;
    this.retry = retry;
  }

  push<T>(write: Write<T>): Promise<T> {
    const done = new Promise<T>((resolve, reject) => {
      this.waiting.push({ write, resolve: resolve as (value: unknown) => void, reject });
    });
    this.last = done.catch(() => undefined);
    if (!this.draining) void this.drain();
    return done;
  }

  /** Resolves once every write queued so far has settled. */
  settled(): Promise<void> {
    return this.last.then(() => undefined);
  }

  private async drain(): Promise<void> {
    this.draining = true;
    // Writes called in the same turn as the first join its group.
    await Promise.resolve();
    while (this.waiting.length > 0) await this.commit(this.waiting.splice(0, maxBatch));
    this.draining = false;
  }

  private async commit(group: Queued[]): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const results = await this.transaction(async (client) => {
          const values: unknown[] = [];
          for (const queued of group) values.push(await queued.write(client, attempt));
          return values;
        });
        for (const [i, queued] of group.entries()) queued.resolve(results[i]);
        return;
      } catch (error) {
        if (isConnectionError(error) && Date.now() - started < this.retry.giveUpAfterMs) {
          await sleep(Math.min(this.retry.maxDelayMs, this.retry.firstDelayMs * 2 ** attempt));
        } else if (group.length > 1 && !isConnectionError(error)) {
          for (const queued of group) await this.commit([queued]);
          return;
        } else {
          for (const queued of group) queued.reject(error);
          return;
        }
      }
    }
  }
}
