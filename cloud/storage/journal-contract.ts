// The ingest journal's contract: what is appended, what the drainer takes out, and the interfaces
// of the journal that ingestion sees and of the whole store (SQLite: journal.ts; memory: memory-journal.ts).

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
