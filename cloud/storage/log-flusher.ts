import { closeSync, existsSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** An append committed to the journal, waiting to be durable. */
export interface Waiting {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Makes the ingest journal's commits durable: a committed append resolves once an fdatasync of
 * SQLite's write-ahead log that began after its commit has finished. The flush runs in libuv's thread
 * pool, so the event loop keeps decoding messages while the disk catches up, and appends committed
 * during one flush share the next. Without a log (an in-memory journal, or a file system where SQLite
 * cannot use WAL) SQLite flushes every commit itself and appends resolve at once.
 *
 * A failed flush is final. After a failed fsync the kernel may drop the dirty pages and report the
 * next one clean, so no later append could be trusted either: `failure` is set, and `onFailure` is
 * given everything waiting to refuse it (the process should restart: SQLite then recovers what is
 * really on disk, and the gateways resend what was not acknowledged).
 */
export class LogFlusher {
  private readonly walPath?: string;
  private readonly onFailure: (error: Error, waiting: Waiting[]) => void;
  private walFd?: number;
  private syncing = false;
  private closed = false;
  /** Committed appends waiting for the next flush of the log. */
  private unsynced: Waiting[] = [];
  /** Set when a flush failed: from then on nothing is acknowledged. */
  failure?: Error;

  constructor(walPath: string | undefined, onFailure: (error: Error, waiting: Waiting[]) => void) {
    this.walPath = walPath;
    this.onFailure = onFailure;
    // What a crashed process committed but never flushed reaches the disk before anything here is
    // trusted (a redelivery of such a batch is acknowledged at once).
    if (walPath && existsSync(walPath)) fdatasyncSync(this.openLog(walPath));
  }

  /** Appends just committed: each resolves once the log is flushed. */
  add(group: Waiting[]): void {
    this.unsynced.push(...group);
    this.sync();
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

  private fail(error: Error, group: Waiting[]): void {
    this.failure = error;
    this.onFailure(error, [...group, ...this.unsynced.splice(0)]);
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

  /** Refuses the appends waiting for a flush; the log is closed once no flush runs. */
  close(error: Error): void {
    this.closed = true;
    for (const p of this.unsynced.splice(0)) p.reject(error);
    if (!this.syncing) this.closeLog();
  }
}
