import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openSqlite } from '../sqlite/sqlite.ts';
import { BatchKeys } from './batch-keys.ts';
import {
  type JournalBatch,
  type JournalEntry,
  type JournalRecord,
  type JournalStore,
  toRecord,
} from './journal-contract.ts';
import {
  faultReason,
  isTransientStorageError,
  type JournalFaultListener,
  JournalFaults,
} from './journal-faults.ts';
import { journalMigrations } from './journal-migrations.ts';
import { LogFlusher } from './log-flusher.ts';
import { type JournalRow, RecentEntries } from './recent-entries.ts';

interface Pending {
  record: JournalRecord;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Batch keys past their time to live are deleted at most this often (not on every drained batch). */
const forgetEveryMs = 10_000;

export interface JournalOptions {
  /** Called once if flushing the journal to disk fails; the journal refuses appends from then on. */
  onFailure?: (error: Error) => void;
  /** Batch keys are remembered this long to recognise redeliveries. */
  keyTtlMs: number;
  now: () => Date;
  /** Told about failed appends and removals (disk full, read-only, I/O errors) and their end. */
  faults?: JournalFaultListener;
  /** Delays between attempts of a failing append or removal: doubling from min to max. */
  retry?: { minMs: number; maxMs: number };
  /** The newest entries are kept in memory for the drainer up to this many lines (100,000 by default). */
  recentLines?: number;
}

/**
 * The cloud's ingest journal: accepted points are appended here, on disk, before their message is
 * acknowledged, and leave only once InfluxDB has stored them. Appends arriving in the same tick are
 * committed in one transaction (group commit); an append resolves once the log is flushed after its
 * commit (LogFlusher). (SQLite itself runs with synchronous = NORMAL: no fsync inside COMMIT; it
 * still syncs the log before and the database after each checkpoint, so acknowledged entries survive
 * a power cut.) A commit the disk refuses for now is kept and tried again (JournalFaults). On
 * restart, whatever is still here is written again.
 */
export class IngestJournal implements JournalStore {
  private readonly db: DatabaseSync;
  private readonly options: JournalOptions;
  private readonly statements: Record<
    'insert' | 'seen' | 'remember' | 'take' | 'remove' | 'forget',
    StatementSync
  >;
  private queue: Pending[] = [];
  private scheduled = false;
  private lineCount: number;
  private readonly keys: BatchKeys;
  private readonly listeners = new Set<() => void>();
  private readonly removeListeners = new Set<(lines: number) => void>();
  /** Entries up to this id have left the journal (InfluxDB has them). */
  private removedUpTo = 0;
  private forgotAt = 0;
  /** Flushes the write-ahead log before appends resolve; a failed flush refuses everything after. */
  private readonly flusher: LogFlusher;
  private readonly faults: JournalFaults;
  /** What was committed lately, for `take` to hand out without reading it back. */
  private readonly recent: RecentEntries;

  constructor(path: string, options: JournalOptions) {
    this.options = options;
    this.faults = new JournalFaults(
      options.faults ?? { onFault: () => undefined, onRecovered: () => undefined },
      options.retry ?? { minMs: 200, maxMs: 5_000 },
    );
    this.db = openSqlite(path, journalMigrations);
    const { journal_mode: mode } = this.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
    // Durability rests on flushing the write-ahead log; without one (an in-memory journal, or a file
    // system where SQLite cannot use WAL) every commit is flushed by SQLite itself.
    const walPath = mode === 'wal' ? `${path}-wal` : undefined;
    this.db.exec(`${walPath ? '' : 'PRAGMA synchronous = FULL;'}
      CREATE TABLE IF NOT EXISTS journal_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, lines TEXT NOT NULL, n INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS batch_keys (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS batch_keys_at ON batch_keys (at);`);
    this.flusher = new LogFlusher(walPath, (error, waiting) => {
      for (const p of [...waiting, ...this.queue.splice(0)]) p.reject(error);
      this.options.onFailure?.(error);
    });
    this.statements = {
      insert: this.db.prepare('INSERT INTO journal_entries (lines, n) VALUES (?, ?)'),
      seen: this.db.prepare('SELECT 1 FROM batch_keys WHERE key = ?'),
      remember: this.db.prepare('INSERT OR IGNORE INTO batch_keys (key, at) VALUES (?, ?)'),
      take: this.db.prepare('SELECT id, lines, n FROM journal_entries WHERE id > ? ORDER BY id LIMIT ?'),
      remove: this.db.prepare('DELETE FROM journal_entries WHERE id <= ?'),
      forget: this.db.prepare('DELETE FROM batch_keys WHERE at < ?'),
    };
    this.keys = new BatchKeys((key) => this.statements.seen.get(key) !== undefined);
    const { n, last } = this.db
      .prepare('SELECT COALESCE(SUM(n), 0) AS n, COALESCE(MAX(id), 0) AS last FROM journal_entries')
      .get() as { n: number; last: number };
    this.lineCount = Number(n);
    this.recent = new RecentEntries(options.recentLines ?? 100_000, Number(last));
  }

  get depth(): number {
    return this.lineCount;
  }

  seen(key: string): Promise<void> | undefined {
    return this.keys.seen(key);
  }

  append(entry: JournalEntry): Promise<void> {
    return this.appendRecord(toRecord(entry, this.options.now()));
  }

  /** Resolves once the record is on disk. */
  appendRecord(record: JournalRecord): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      if (this.flusher.failure) reject(this.flusher.failure);
      else this.enqueue({ record, resolve, reject });
    });
    return this.keys.track(record.key, done);
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
    let lines = 0;
    const rows: JournalRow[] = [];
    try {
      this.db.exec('BEGIN');
      for (const { record } of group) {
        if (record.count > 0) {
          const { lastInsertRowid } = this.statements.insert.run(record.text, record.count);
          rows.push({ id: Number(lastInsertRowid), text: record.text, count: record.count });
        }
        if (record.key) this.statements.remember.run(record.key, record.at);
        lines += record.count;
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.rollBack();
      if (!isTransientStorageError(error)) {
        for (const p of group) p.reject(error as Error);
        return;
      }
      // The disk cannot take it now (full, read-only, an I/O error): nothing of the group is in the
      // journal and nothing was acknowledged. The group is kept, in order, and committed again later.
      this.queue = [...group, ...this.queue];
      this.scheduled = true;
      const delay = this.faults.failed('append', error as Error);
      setTimeout(() => this.commit(), delay).unref();
      return;
    }
    this.faults.succeeded('append');
    this.lineCount += lines;
    this.recent.add(rows);
    // The drainer may start on these lines now; their appends resolve once the log is on disk.
    if (lines > 0) for (const listener of this.listeners) listener();
    this.flusher.add(group);
  }

  /** Ends a failed transaction (SQLite may have rolled it back itself already). */
  private rollBack(): void {
    try {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
    } catch {
      // Nothing was committed either way; the next attempt starts a new transaction.
    }
  }

  /**
   * The oldest entries after entry `afterId`, about `max` lines (at least one entry), for the drainer:
   * `records` are each entry's lines joined by newlines, `count` the number of lines.
   */
  async take(max: number, afterId = this.removedUpTo): Promise<JournalBatch | undefined> {
    if (this.recent.holds(afterId)) return this.recent.take(max, afterId);
    const records: string[] = [];
    let count = 0;
    let lastId = 0;
    for (const row of this.statements.take.iterate(afterId, max) as Iterable<{
      id: number;
      lines: string;
      n: number;
    }>) {
      records.push(row.lines);
      count += Number(row.n);
      lastId = Number(row.id);
      if (count >= max) break;
    }
    return records.length === 0 ? undefined : { lastId, records, count };
  }

  /** InfluxDB has the lines up to `lastId`: they leave the journal. */
  async remove(lastId: number, count: number): Promise<void> {
    try {
      this.statements.remove.run(lastId);
    } catch (error) {
      // A full disk fails deletes too (they need room in the log): the lines stay, the caller retries.
      if (isTransientStorageError(error)) this.faults.failed('remove', error as Error);
      throw new Error(`ingest journal: removing drained lines failed: ${faultReason(error as Error)}`, {
        cause: error,
      });
    }
    this.faults.succeeded('remove');
    this.removedUpTo = lastId;
    this.recent.remove(lastId);
    this.lineCount -= count;
    const now = this.options.now().getTime();
    if (now - this.forgotAt >= forgetEveryMs) {
      try {
        this.statements.forget.run(now - this.options.keyTtlMs);
        this.forgotAt = now;
      } catch {
        // Old batch keys stay a little longer: tried again at a later removal.
      }
    }
    for (const listener of this.removeListeners) listener(count);
  }

  /** Calls `listener` after every commit that added lines; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` with the number of lines after every removal; returns the unsubscribe function. */
  onRemove(listener: (lines: number) => void): () => void {
    this.removeListeners.add(listener);
    return () => this.removeListeners.delete(listener);
  }

  /**
   * Closes the journal; appends still waiting for a commit or for a flush are refused
   * (those committed are in the database: a redelivery is recognised by its batch key).
   */
  close(): void {
    const closed = new Error('ingest journal closed');
    for (const p of this.queue.splice(0)) p.reject(closed);
    this.flusher.close(closed);
    this.db.close();
  }
}
