/** What the journal does on disk that can fail for a while: append (commit) or remove drained lines. */
export type JournalOperation = 'append' | 'remove';

export interface JournalFaultListener {
  /** Every failed attempt (for a counter); `first` is the first failure of an episode (log it once). */
  onFault(operation: JournalOperation, error: Error, first: boolean): void;
  /** The operation works again: the episode is over. */
  onRecovered(operation: JournalOperation): void;
}

/** Primary SQLite result codes (the low byte of an extended code) that say the disk cannot take it now. */
const transientSqlite = new Map([
  [5, 'SQLITE_BUSY'],
  [6, 'SQLITE_LOCKED'],
  [8, 'SQLITE_READONLY'],
  [10, 'SQLITE_IOERR'],
  [13, 'SQLITE_FULL'],
  [14, 'SQLITE_CANTOPEN'],
]);
const transientErrno = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EAGAIN', 'EBUSY']);

/**
 * Whether an error of the journal's database is a fault of the disk that may go away by itself (full,
 * read-only, an I/O error on write, busy): then the journal keeps what it could not write and tries
 * again. Anything else (a corrupt file, a bug) is not retried.
 */
export function isTransientStorageError(error: unknown): boolean {
  const { errcode, code } = error as { errcode?: unknown; code?: unknown };
  if (typeof errcode === 'number') return transientSqlite.has(errcode & 0xff);
  return typeof code === 'string' && transientErrno.has(code);
}

/** A short name for the fault, for /health and logs: the SQLite code, the errno, or the message. */
export function faultReason(error: Error): string {
  const { errcode, code, errstr } = error as { errcode?: unknown; code?: unknown; errstr?: unknown };
  if (typeof errcode === 'number') {
    const name = transientSqlite.get(errcode & 0xff) ?? `SQLite error ${errcode}`;
    return `${name}: ${typeof errstr === 'string' ? errstr : error.message}`;
  }
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}

/**
 * Which journal operations are failing, and the delay before the next attempt of each: doubling
 * from `minMs` to `maxMs` while an operation keeps failing, back to `minMs` once it works.
 */
export class JournalFaults {
  private readonly failing = new Map<JournalOperation, number>();
  private readonly listener: JournalFaultListener;
  private readonly minMs: number;
  private readonly maxMs: number;

  constructor(listener: JournalFaultListener, retry: { minMs: number; maxMs: number }) {
    this.listener = listener;
    this.minMs = retry.minMs;
    this.maxMs = retry.maxMs;
  }

  /** Records a failure; returns how long to wait before trying again. */
  failed(operation: JournalOperation, error: Error): number {
    const previous = this.failing.get(operation);
    const delay = previous === undefined ? this.minMs : Math.min(this.maxMs, previous * 2);
    this.failing.set(operation, delay);
    this.listener.onFault(operation, error, previous === undefined);
    return delay;
  }

  succeeded(operation: JournalOperation): void {
    if (!this.failing.delete(operation)) return;
    this.listener.onRecovered(operation);
  }

  isFailing(operation: JournalOperation): boolean {
    return this.failing.has(operation);
  }
}
