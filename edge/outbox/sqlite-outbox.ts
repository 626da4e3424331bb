import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

import { newInstanceId } from './instance-id.ts';
import type { Gap, Outbox, OutboxBatch, OutboxChannel, OutboxLimits } from './outbox.ts';

/**
 * The gateway's durable outbox (node:sqlite, WAL): every reading and event is written here before it
 * is published, and leaves only when the broker acknowledged the batch that carried it, so broker
 * outages and agent restarts lose nothing. A batch keeps its id and its items across restarts.
 */
export class SqliteOutbox implements Outbox {
  private readonly db: DatabaseSync;
  private readonly limits: OutboxLimits;
  private readonly instance: string;
  private readonly statements: Record<'insert' | 'count' | 'ack' | 'assign', StatementSync>;
  /** Batches handed to the MQTT client and not yet acknowledged or released. */
  private readonly inFlight = new Set<string>();
  private size: number;

  constructor(path: string, limits: OutboxLimits) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.limits = limits;
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL,
        at INTEGER NOT NULL,
        item TEXT NOT NULL,
        batch TEXT
      );
      CREATE INDEX IF NOT EXISTS outbox_batch ON outbox (batch);
      CREATE INDEX IF NOT EXISTS outbox_at ON outbox (at);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    this.instance = this.meta('instance') ?? this.setMeta('instance', newInstanceId());
    this.statements = {
      insert: this.db.prepare('INSERT INTO outbox (channel, at, item) VALUES (?, ?, ?)'),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM outbox'),
      ack: this.db.prepare('DELETE FROM outbox WHERE batch = ?'),
      assign: this.db.prepare(
        'UPDATE outbox SET batch = ? WHERE seq >= ? AND seq <= ? AND channel = ? AND batch IS NULL',
      ),
    };
    this.size = Number((this.statements.count.get() as { n: number }).n);
  }

  private meta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  private setMeta(key: string, value: string): string {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
    return value;
  }

  get depth(): number {
    return this.size;
  }

  /** The newest sequence number so far: what is at or below it when the link comes back is backlog. */
  get lastSeq(): number {
    const row = this.db.prepare('SELECT MAX(seq) AS s FROM outbox').get() as { s: number | null };
    return Number(row.s ?? 0);
  }

  get gap(): Gap {
    return JSON.parse(this.meta('gap') ?? '{"count":0}');
  }

  /** Stores items durably (one transaction), then enforces the bounds. */
  push(channel: OutboxChannel, items: readonly { ts: string }[], now: Date): void {
    if (items.length === 0) return;
    this.transaction(() => {
      for (const item of items)
        this.statements.insert.run(channel, Date.parse(item.ts), JSON.stringify(item));
      this.size += items.length;
      this.enforceLimits(now);
    });
  }

  private enforceLimits(now: Date): void {
    this.drop('at < ? AND batch IS NULL', [now.getTime() - this.limits.maxAgeMs]);
    const excess = this.size - this.limits.maxItems;
    if (excess > 0)
      this.drop('seq IN (SELECT seq FROM outbox WHERE batch IS NULL ORDER BY seq LIMIT ?)', [excess]);
  }

  /** Drops unbatched items (a batch being sent stays whole), adding them to the recorded gap. */
  private drop(where: string, params: (string | number)[]): void {
    const range = this.db
      .prepare(`SELECT COUNT(*) AS n, MIN(at) AS first, MAX(at) AS last FROM outbox WHERE ${where}`)
      .get(...params) as { n: number; first: number | null; last: number | null };
    const count = Number(range.n);
    if (count === 0) return;
    this.db.prepare(`DELETE FROM outbox WHERE ${where}`).run(...params);
    this.size -= count;
    const gap = this.gap;
    const from = Math.min(Number(range.first), gap.from ? Date.parse(gap.from) : Number.POSITIVE_INFINITY);
    const to = Math.max(Number(range.last), gap.to ? Date.parse(gap.to) : Number.NEGATIVE_INFINITY);
    const next: Gap = {
      count: gap.count + count,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
    };
    this.setMeta('gap', JSON.stringify(next));
  }

  /**
   * The next batch to publish: first a batch formed before (after a restart, resent as it was), else
   * up to `maxItems` of the oldest unbatched items of one channel. `after` skips items at or below a
   * sequence number (used to send live items ahead of the backlog).
   */
  next(maxItems: number, after = 0): OutboxBatch | undefined {
    const formed = this.db
      .prepare(
        'SELECT batch, channel, MAX(seq) AS last FROM outbox WHERE batch IS NOT NULL AND seq > ? GROUP BY batch ORDER BY MIN(seq)',
      )
      .all(after) as { batch: string; channel: OutboxChannel; last: number }[];
    const resend = formed.find((b) => !this.inFlight.has(b.batch));
    if (resend) return this.load(resend.batch, resend.channel, Number(resend.last));
    const first = this.db
      .prepare('SELECT seq, channel FROM outbox WHERE batch IS NULL AND seq > ? ORDER BY seq LIMIT 1')
      .get(after) as { seq: number; channel: OutboxChannel } | undefined;
    if (!first) return undefined;
    // Contiguous unbatched items of the same channel, so a batch is one range of sequence numbers.
    const rows = this.db
      .prepare('SELECT seq, channel, batch FROM outbox WHERE seq >= ? ORDER BY seq LIMIT ?')
      .all(first.seq, maxItems) as { seq: number; channel: OutboxChannel; batch: string | null }[];
    const end = rows.findIndex((r) => r.channel !== first.channel || r.batch !== null);
    const last = Number((end === -1 ? rows[rows.length - 1] : rows[end - 1])?.seq ?? first.seq);
    const id = `${this.instance}-${first.seq}`;
    this.statements.assign.run(id, first.seq, last, first.channel);
    return this.load(id, first.channel, last);
  }

  private load(id: string, channel: OutboxChannel, lastSeq: number): OutboxBatch {
    const rows = this.db.prepare('SELECT item FROM outbox WHERE batch = ? ORDER BY seq').all(id) as {
      item: string;
    }[];
    this.inFlight.add(id);
    return { id, channel, lastSeq, items: rows.map((r) => JSON.parse(r.item)) };
  }

  /** The broker acknowledged the batch: its items leave the outbox. */
  ack(batchId: string): void {
    this.inFlight.delete(batchId);
    const { changes } = this.statements.ack.run(batchId);
    this.size -= Number(changes);
  }

  /** The batch was not delivered: it will be offered again by `next`. */
  release(batchId: string): void {
    this.inFlight.delete(batchId);
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private transaction(fn: () => void): void {
    this.db.exec('BEGIN');
    try {
      fn();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }
}
