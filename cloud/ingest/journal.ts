import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openSqlite } from '../storage/sqlite.ts';

export interface JournalEntry {
  /** InfluxDB line protocol, one line per point. */
  lines: string[];
  /** Identifies a batch (gateway + batch id); a key seen before marks a redelivery. */
  key?: string;
}

interface Pending {
  entry: JournalEntry;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface JournalOptions {
  /** Beyond this many lines waiting for InfluxDB, appends wait (backpressure: slow PUBACKs). */
  maxLines: number;
  /** Batch keys are remembered this long to recognise redeliveries. */
  keyTtlMs: number;
  now: () => Date;
}

/**
 * The cloud's ingest journal: accepted points are appended here, on disk, before their message is
 * acknowledged, and leave only once InfluxDB has stored them. Appends arriving in the same tick are
 * committed in one transaction (group commit, fsync'd), so durability costs one disk flush per
 * group rather than per message. On restart, whatever is still here is written again.
 */
export class IngestJournal {
  private readonly db: DatabaseSync;
  private readonly options: JournalOptions;
  private readonly statements: Record<
    'insert' | 'seen' | 'remember' | 'take' | 'remove' | 'forget',
    StatementSync
  >;
  private queue: Pending[] = [];
  private waitingForRoom: Pending[] = [];
  private scheduled = false;
  private lineCount: number;
  /** Keys of appends not yet committed, with the promise of their commit. */
  private readonly pendingKeys = new Map<string, Promise<void>>();
  private readonly listeners = new Set<() => void>();

  constructor(path: string, options: JournalOptions) {
    this.options = options;
    this.db = openSqlite(path);
    this.db.exec(`PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS batch_keys (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS batch_keys_at ON batch_keys (at);`);
    this.statements = {
      insert: this.db.prepare('INSERT INTO journal (line) VALUES (?)'),
      seen: this.db.prepare('SELECT 1 FROM batch_keys WHERE key = ?'),
      remember: this.db.prepare('INSERT OR IGNORE INTO batch_keys (key, at) VALUES (?, ?)'),
      take: this.db.prepare('SELECT id, line FROM journal ORDER BY id LIMIT ?'),
      remove: this.db.prepare('DELETE FROM journal WHERE id <= ?'),
      forget: this.db.prepare('DELETE FROM batch_keys WHERE at < ?'),
    };
    this.lineCount = Number((this.db.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n);
  }

  /** Lines waiting to be written to InfluxDB. */
  get depth(): number {
    return this.lineCount;
  }

  /**
   * For a batch key appended before (a redelivery): a promise that resolves once that first append is
   * durable, so the redelivery is acknowledged no earlier than the original. Undefined for a new key.
   */
  seen(key: string): Promise<void> | undefined {
    const pending = this.pendingKeys.get(key);
    if (pending) return pending;
    return this.statements.seen.get(key) === undefined ? undefined : Promise.resolve();
  }

  /** Resolves once the entry is on disk. Waits while the journal is full. */
  append(entry: JournalEntry): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      const pending = { entry, resolve, reject };
      if (this.lineCount >= this.options.maxLines) this.waitingForRoom.push(pending);
      else this.enqueue(pending);
    });
    const { key } = entry;
    if (key) {
      this.pendingKeys.set(key, done);
      const clear = () => this.pendingKeys.delete(key);
      done.then(clear, clear);
    }
    return done;
  }

  private enqueue(pending: Pending): void {
    this.queue.push(pending);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.commit());
    }
  }

  private commit(): void {
    this.scheduled = false;
    if (!this.db.isOpen) return;
    const group = this.queue;
    this.queue = [];
    const at = this.options.now().getTime();
    let lines = 0;
    try {
      this.db.exec('BEGIN');
      for (const { entry } of group) {
        for (const line of entry.lines) this.statements.insert.run(line);
        if (entry.key) this.statements.remember.run(entry.key, at);
        lines += entry.lines.length;
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      for (const p of group) p.reject(error as Error);
      return;
    }
    this.lineCount += lines;
    for (const p of group) p.resolve();
    if (lines > 0) for (const listener of this.listeners) listener();
  }

  /** The oldest lines, for the drainer. */
  take(max: number): { lastId: number; lines: string[] } | undefined {
    const rows = this.statements.take.all(max) as { id: number; line: string }[];
    if (rows.length === 0) return undefined;
    return { lastId: Number(rows[rows.length - 1]?.id), lines: rows.map((r) => r.line) };
  }

  /** InfluxDB has the lines up to `lastId`: they leave the journal, and waiting appends get room. */
  remove(lastId: number, count: number): void {
    this.statements.remove.run(lastId);
    this.lineCount -= count;
    this.statements.forget.run(this.options.now().getTime() - this.options.keyTtlMs);
    while (this.waitingForRoom.length > 0 && this.lineCount < this.options.maxLines) {
      this.enqueue(this.waitingForRoom.shift() as Pending);
    }
  }

  /** Calls `listener` after every commit that added lines; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the journal; appends still waiting for a commit or for room are refused. */
  close(): void {
    const closed = new Error('ingest journal closed');
    for (const p of [...this.queue.splice(0), ...this.waitingForRoom.splice(0)]) p.reject(closed);
    this.db.close();
  }
}
