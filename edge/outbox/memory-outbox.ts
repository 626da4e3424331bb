import { newInstanceId } from './instance-id.ts';
import type { Gap, Outbox, OutboxBatch, OutboxChannel, OutboxLimits } from './outbox.ts';

interface Row {
  seq: number;
  channel: OutboxChannel;
  at: number;
  /** The item as JSON: what `next` hands out is a copy, as it would be from a database. */
  item: string;
  batch?: string;
}

/**
 * An outbox in memory, with the behaviour of `SqliteOutbox` (the same conformance suite) but not
 * its durability: what it holds is lost with the process. For tests of what sits on an outbox.
 */
export class MemoryOutbox implements Outbox {
  private readonly limits: OutboxLimits;
  private readonly instance = newInstanceId();
  /** By sequence number, in insertion (hence sequence) order. */
  private readonly rows = new Map<number, Row>();
  private readonly inFlight = new Set<string>();
  private seq = 0;
  private dropped: Gap = { count: 0 };

  constructor(limits: OutboxLimits) {
    this.limits = limits;
  }

  get depth(): number {
    return this.rows.size;
  }

  get lastSeq(): number {
    let last = 0;
    for (const seq of this.rows.keys()) last = seq;
    return last;
  }

  get gap(): Gap {
    return { ...this.dropped };
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  push(channel: OutboxChannel, items: readonly { ts: string }[], now: Date): void {
    // Everything is checked before anything is stored: a push is stored whole or not at all.
    const added = items.map((item, index) => {
      const at = Date.parse(item.ts);
      if (Number.isNaN(at)) throw new Error(`outbox: item ${index} has no valid ts: ${item.ts}`);
      return { channel, at, item: JSON.stringify(item) };
    });
    for (const row of added) {
      this.seq++;
      this.rows.set(this.seq, { seq: this.seq, ...row });
    }
    if (added.length > 0) this.enforceLimits(now);
  }

  private enforceLimits(now: Date): void {
    const oldest = now.getTime() - this.limits.maxAgeMs;
    this.drop([...this.rows.values()].filter((r) => r.batch === undefined && r.at < oldest));
    const excess = this.rows.size - this.limits.maxItems;
    if (excess > 0) this.drop([...this.rows.values()].filter((r) => r.batch === undefined).slice(0, excess));
  }

  /** Drops unbatched items (a batch being sent stays whole), adding them to the recorded gap. */
  private drop(rows: Row[]): void {
    if (rows.length === 0) return;
    for (const row of rows) this.rows.delete(row.seq);
    const { from: since, to: until } = this.dropped;
    const from = rows.reduce(
      (min, r) => Math.min(min, r.at),
      since ? Date.parse(since) : Number.POSITIVE_INFINITY,
    );
    const to = rows.reduce(
      (max, r) => Math.max(max, r.at),
      until ? Date.parse(until) : Number.NEGATIVE_INFINITY,
    );
    this.dropped = {
      count: this.dropped.count + rows.length,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
    };
  }

  next(maxItems: number, after = 0): OutboxBatch | undefined {
    const later = [...this.rows.values()].filter((r) => r.seq > after);
    const formed = Map.groupBy(
      later.filter((r) => r.batch !== undefined),
      (r) => r.batch as string,
    );
    const resend = [...formed.keys()].find((batch) => !this.inFlight.has(batch));
    if (resend) return this.load(resend);
    const first = later.find((r) => r.batch === undefined);
    if (!first) return undefined;
    // Contiguous unbatched items of the same channel, so a batch is one range of sequence numbers.
    const rows = [...this.rows.values()].filter((r) => r.seq >= first.seq).slice(0, maxItems);
    const end = rows.findIndex((r) => r.channel !== first.channel || r.batch !== undefined);
    const last = (end === -1 ? rows[rows.length - 1] : rows[end - 1])?.seq ?? first.seq;
    const id = `${this.instance}-${first.seq}`;
    for (const row of rows) if (row.seq <= last) row.batch = id;
    return this.load(id);
  }

  private load(id: string): OutboxBatch {
    const rows = [...this.rows.values()].filter((r) => r.batch === id);
    this.inFlight.add(id);
    return {
      id,
      channel: (rows[0] as Row).channel,
      lastSeq: (rows.at(-1) as Row).seq,
      items: rows.map((r) => JSON.parse(r.item)),
    };
  }

  ack(batchId: string): void {
    this.inFlight.delete(batchId);
    for (const row of [...this.rows.values()]) if (row.batch === batchId) this.rows.delete(row.seq);
  }

  release(batchId: string): void {
    this.inFlight.delete(batchId);
  }

  close(): void {}
}
