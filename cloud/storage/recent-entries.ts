import type { JournalBatch } from './journal-contract.ts';

/** A committed journal entry: its id, its lines joined by newlines, and how many lines. */
export interface JournalRow {
  id: number;
  text: string;
  count: number;
}

/**
 * The journal's newest entries, kept in memory as they are committed, so that the drainer takes what
 * was just appended without reading it back from SQLite. It holds every entry after `heldAfter`, in id
 * order, while they fit in `maxLines`. When they no longer fit (InfluxDB is behind or down), it lets go
 * of all of them and holds the entries committed from then on: older ones are read from the database.
 */
export class RecentEntries {
  private readonly maxLines: number;
  private rows: JournalRow[] = [];
  /** Index of the first row not yet removed. */
  private head = 0;
  private lines = 0;
  /** Every committed entry with a greater id is held (and none older). */
  private heldAfter: number;

  /** `lastId`: the newest entry already in the journal when it opened (those are read from disk). */
  constructor(maxLines: number, lastId: number) {
    this.maxLines = maxLines;
    this.heldAfter = lastId;
  }

  /** Entries just committed, in id order, each newer than every entry added before. */
  add(rows: readonly JournalRow[]): void {
    for (const row of rows) {
      this.rows.push(row);
      this.lines += row.count;
    }
    if (this.lines > this.maxLines) {
      this.heldAfter = this.rows[this.rows.length - 1]?.id ?? this.heldAfter;
      this.rows = [];
      this.head = 0;
      this.lines = 0;
    }
  }

  /** Whether every entry after `afterId` is held here. */
  holds(afterId: number): boolean {
    return afterId >= this.heldAfter;
  }

  /**
   * The oldest held entries after `afterId`, about `max` lines (at least one entry), as the journal's
   * `take` answers; undefined when none is newer. Only for an `afterId` this `holds`.
   */
  take(max: number, afterId: number): JournalBatch | undefined {
    const records: string[] = [];
    let count = 0;
    let lastId = 0;
    for (let i = this.firstAfter(afterId); i < this.rows.length && count < max; i++) {
      const row = this.rows[i] as JournalRow;
      records.push(row.text);
      count += row.count;
      lastId = row.id;
    }
    return records.length === 0 ? undefined : { lastId, records, count };
  }

  /** The entries up to `lastId` left the journal. */
  remove(lastId: number): void {
    while (this.head < this.rows.length && (this.rows[this.head] as JournalRow).id <= lastId) {
      this.lines -= (this.rows[this.head] as JournalRow).count;
      this.head++;
    }
    if (this.head === this.rows.length) {
      this.rows = [];
      this.head = 0;
    } else if (this.head >= 1_024 && this.head * 2 >= this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.head = 0;
    }
  }

  /** Index of the first held row with an id greater than `afterId` (binary search). */
  private firstAfter(afterId: number): number {
    let low = this.head;
    let high = this.rows.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.rows[mid] as JournalRow).id <= afterId) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
