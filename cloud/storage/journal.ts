import { closeSync, existsSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openSqlite } from '../sqlite/sqlite.ts';
import {
  faultReason,
  isTransientStorageError,
  type JournalFaultListener,
  JournalFaults,
} from './journal-faults.ts';
import { journalMigrations } from './journal-migrations.ts';

export interface JournalEntry {
  /** InfluxDB line protocol, one line per point. */
  lines: string[];
  /** Identifies a batch (gateway + batch id); a key seen before marks a redelivery. */
  key?: string;
}

/** An entry as the journal keeps it: one row per message, its lines joined as InfluxDB takes them. */
export interface JournalRecord {
  text: string;
  /** Lines in `text`. */
  count: number;
  key?: string;
  /** When it was accepted (ms): the batch key is remembered from then. */
  at: number;
}

export function toRecord(entry: JournalEntry, at: Date): JournalRecord {
  return { text: entry.lines.join('\n'), count: entry.lines.length, key: entry.key, at: at.getTime() };
}

/** What ingestion and alerting need of a journal: the local one, or the storage thread's. */
export interface Journal {
  /** Lines waiting to be written to InfluxDB. */
  readonly depth: number;
  /**
   * For a batch key appended before (a redelivery): a promise that resolves once that first append is
   * durable, so the redelivery is acknowledged no earlier than the original. Undefined for a new key.
   */
  seen(key: string): Promise<void> | undefined;
  /** Resolves once the entry is on disk. */
  append(entry: JournalEntry): Promise<void>;
}

/** A batch of the oldest entries, for the drainer: each entry's lines joined by newlines, and their line count. */
export interface JournalBatch {
  lastId: number;
  records: string[];
  count: number;
}

/**
 * The whole journal, as the storage thread and the drainer use it: appends (ingestion's side) and
 * the oldest entries taken out in order once InfluxDB has them (the drainer awaits one take and one
 * removal per batch, never per line). test/conformance/journal-store.ts is the suite every journal
 * must pass.
 */
export interface JournalStore extends Journal {
  /** Resolves once the record is durable. */
  appendRecord(record: JournalRecord): Promise<void>;
  /** The oldest entries after entry `afterId` (by default after those removed), about `max` lines (at least one entry). */
  take(max: number, afterId?: number): Promise<JournalBatch | undefined>;
  /** InfluxDB has the lines up to `lastId`: they leave the journal (and old batch keys are forgotten). */
  remove(lastId: number, count: number): Promise<void>;
  /** Calls `listener` after every commit that added lines; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void;
  /** Calls `listener` with the number of lines after every removal; returns the unsubscribe function. */
  onRemove(listener: (lines: number) => void): () => void;
  /** Appends not yet durable are refused. */
  close(): void;
}

/**
 * The batch keys a journal has seen: those of appends still on their way to disk, with the promise
 * of that append (a redelivery is acknowledged no earlier than the original), and, through `onDisk`,
 * those already stored.
 */
export class BatchKeys {
  private readonly pending = new Map<string, Promise<void>>();
  private readonly onDisk: (key: string) => boolean;

  constructor(onDisk: (key: string) => boolean) {
    this.onDisk = onDisk;
  }

  seen(key: string): Promise<void> | undefined {
    return this.pending.get(key) ?? (this.onDisk(key) ? Promise.resolve() : undefined);
  }

  /** Remembers the key of an append until it settles; returns the append. */
  track(key: string | undefined, append: Promise<void>): Promise<void> {
    if (key) {
      this.pending.set(key, append);
      const clear = () => this.pending.delete(key);
      append.then(clear, clear);
    }
    return append;
  }
}

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
}

/**
 * The cloud's ingest journal: accepted points are appended here, on disk, before their message is
 * acknowledged, and leave only once InfluxDB has stored them. Appends arriving in the same tick are
 * committed in one transaction (group commit); an append resolves once an fdatasync of the SQLite
 * write-ahead log that began after its commit has finished. That flush runs in libuv's thread pool,
 * so the event loop keeps decoding messages while the disk catches up, and appends committed during
 * one flush share the next. (SQLite itself runs with synchronous = NORMAL: no fsync inside COMMIT;
 * it still syncs the log before and the database after each checkpoint, so acknowledged entries
 * survive a power cut.) On restart, whatever is still here is written again.
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
  /** The write-ahead log, flushed to disk before appends resolve; none for an in-memory journal. */
  private readonly walPath?: string;
  private walFd?: number;
  private syncing = false;
  private closed = false;
  /** Set when a flush failed: from then on nothing is acknowledged (see `sync`). */
  private failure?: Error;
  /** Committed appends waiting for the next flush of the log. */
  private unsynced: Pending[] = [];
  private readonly faults: JournalFaults;

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
    this.walPath = mode === 'wal' ? `${path}-wal` : undefined;
    this.db.exec(`${this.walPath ? '' : 'PRAGMA synchronous = FULL;'}
      CREATE TABLE IF NOT EXISTS journal_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, lines TEXT NOT NULL, n INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS batch_keys (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS batch_keys_at ON batch_keys (at);`);
    // What a crashed process committed but never flushed reaches the disk before anything here is
    // trusted (a redelivery of such a batch is acknowledged at once).
    if (this.walPath && existsSync(this.walPath)) fdatasyncSync(this.openLog(this.walPath));
    this.statements = {
      insert: this.db.prepare('INSERT INTO journal_entries (lines, n) VALUES (?, ?)'),
      seen: this.db.prepare('SELECT 1 FROM batch_keys WHERE key = ?'),
      remember: this.db.prepare('INSERT OR IGNORE INTO batch_keys (key, at) VALUES (?, ?)'),
      take: this.db.prepare('SELECT id, lines, n FROM journal_entries WHERE id > ? ORDER BY id LIMIT ?'),
      remove: this.db.prepare('DELETE FROM journal_entries WHERE id <= ?'),
      forget: this.db.prepare('DELETE FROM batch_keys WHERE at < ?'),
    };
    this.keys = new BatchKeys((key) => this.statements.seen.get(key) !== undefined);
    this.lineCount = Number(
      (this.db.prepare('SELECT COALESCE(SUM(n), 0) AS n FROM journal_entries').get() as { n: number }).n,
    );
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
      if (this.failure) reject(this.failure);
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
    try {
      this.db.exec('BEGIN');
      for (const { record } of group) {
        if (record.count > 0) this.statements.insert.run(record.text, record.count);
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
    // The drainer may start on these lines now; their appends resolve once the log is on disk.
    if (lines > 0) for (const listener of this.listeners) listener();
    this.unsynced.push(...group);
    this.sync();
  }

  /** Ends a failed transaction (SQLite may have rolled it back itself already). */
  private rollBack(): void {
    try {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
    } catch {
      // Nothing was committed either way; the next attempt starts a new transaction.
    }
  }

  /** Flushes the log in the thread pool; appends committed meanwhile wait for the next flush. */
  private sync(): void {
    if (this.syncing || this.unsynced.length === 0) return;
    const group = this.unsynced;
    this.unsynced = [];
    if (!this.walPath) {
      for (const p of group) p.resolve();
      return;
    }
    this.syncing = true;
    let fd: number;
    try {
      fd = this.walFd ?? this.openLog(this.walPath);
    } catch (error) {
      this.syncing = false;
      this.fail(
        new Error(`ingest journal: opening ${this.walPath} failed: ${(error as Error).message}`),
        group,
      );
      return;
    }
    fdatasync(fd, (error) => {
      this.syncing = false;
      if (error)
        this.fail(new Error(`ingest journal: flushing ${this.walPath} failed: ${error.message}`), group);
      else for (const p of group) p.resolve();
      if (this.closed) this.closeLog();
      else this.sync();
    });
  }

  /**
   * A flush failed. After a failed fsync the kernel may drop the dirty pages and report the next one
   * clean, so no later append could be trusted either: everything waiting, and everything from now
   * on, is refused, and `onFailure` is told (the process should restart: SQLite then recovers what
   * is really on disk, and the gateways resend what was not acknowledged).
   */
  private fail(error: Error, group: Pending[]): void {
    this.failure = error;
    for (const p of [...group, ...this.unsynced.splice(0), ...this.queue.splice(0)]) p.reject(error);
    this.options.onFailure?.(error);
  }

  /** Opens the log for flushing, once; its directory entry is flushed too (the file may be new). */
  private openLog(walPath: string): number {
    this.walFd = openSync(walPath, 'r');
    const directory = openSync(dirname(walPath), 'r');
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
    return this.walFd;
  }

  private closeLog(): void {
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
  }

  /**
   * The oldest entries after entry `afterId`, about `max` lines (at least one entry), for the drainer:
   * `records` are each entry's lines joined by newlines, `count` the number of lines.
   */
  async take(max: number, afterId = this.removedUpTo): Promise<JournalBatch | undefined> {
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
    this.closed = true;
    const closed = new Error('ingest journal closed');
    for (const p of [...this.queue.splice(0), ...this.unsynced.splice(0)]) p.reject(closed);
    this.db.close();
    if (!this.syncing) this.closeLog();
  }
}
