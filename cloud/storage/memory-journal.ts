import { BatchKeys } from './batch-keys.ts';
import {
  type JournalBatch,
  type JournalEntry,
  type JournalRecord,
  type JournalStore,
  toRecord,
} from './journal-contract.ts';

/** Batch keys past their time to live are forgotten at most this often, as in the SQLite journal. */
const forgetEveryMs = 10_000;

/**
 * A journal in memory, for dry runs, benchmarks and tests of what drains a journal: appends are
 * committed together once per turn of the event loop, as in the SQLite journal, and resolve then;
 * nothing survives the process.
 */
export class MemoryJournal implements JournalStore {
  private readonly options: { keyTtlMs: number; now: () => Date };
  private entries: { id: number; text: string; count: number }[] = [];
  private lastId = 0;
  private removedUpTo = 0;
  private lineCount = 0;
  private forgotAt = 0;
  private readonly stored = new Map<string, number>();
  private readonly keys = new BatchKeys((key) => this.stored.has(key));
  private queue: { record: JournalRecord; resolve: () => void; reject: (error: Error) => void }[] = [];
  private closed = false;
  private readonly listeners = new Set<() => void>();
  private readonly removeListeners = new Set<(lines: number) => void>();

  constructor(options: { keyTtlMs: number; now: () => Date }) {
    this.options = options;
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

  appendRecord(record: JournalRecord): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      if (this.closed) {
        reject(new Error('memory journal closed'));
        return;
      }
      this.queue.push({ record, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.commit());
    });
    return this.keys.track(record.key, done);
  }

  private commit(): void {
    const group = this.queue;
    this.queue = [];
    if (this.closed) return;
    let lines = 0;
    for (const { record } of group) {
      if (record.count > 0) this.entries.push({ id: ++this.lastId, text: record.text, count: record.count });
      if (record.key && !this.stored.has(record.key)) this.stored.set(record.key, record.at);
      lines += record.count;
    }
    this.lineCount += lines;
    if (lines > 0) for (const listener of this.listeners) listener();
    for (const p of group) p.resolve();
  }

  async take(max: number, afterId = this.removedUpTo): Promise<JournalBatch | undefined> {
    const records: string[] = [];
    let count = 0;
    let lastId = 0;
    for (const entry of this.entries) {
      if (entry.id <= afterId) continue;
      records.push(entry.text);
      count += entry.count;
      lastId = entry.id;
      if (count >= max || records.length >= max) break;
    }
    return records.length === 0 ? undefined : { lastId, records, count };
  }

  async remove(lastId: number, count: number): Promise<void> {
    this.entries = this.entries.filter((e) => e.id > lastId);
    this.removedUpTo = lastId;
    this.lineCount -= count;
    const now = this.options.now().getTime();
    if (now - this.forgotAt >= forgetEveryMs) {
      for (const [key, at] of this.stored) if (at < now - this.options.keyTtlMs) this.stored.delete(key);
      this.forgotAt = now;
    }
    for (const listener of this.removeListeners) listener(count);
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRemove(listener: (lines: number) => void): () => void {
    this.removeListeners.add(listener);
    return () => this.removeListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    const closed = new Error('memory journal closed');
    for (const p of this.queue.splice(0)) p.reject(closed);
  }
}
