/**
 * The gateway's outbox: every reading and event is written here before it is published, and leaves
 * only when the broker acknowledged the batch that carried it.
 *
 * Items are grouped into batches when first taken; a batch keeps its id and its items, so a batch
 * the cloud may already have seen is resent identically and the cloud can recognise it. The outbox
 * is bounded in count and age: the oldest items are dropped, counted, and their time range is kept
 * as the gap that the heartbeat reports. `SqliteOutbox` is the durable one the agent uses;
 * `MemoryOutbox` keeps the same behaviour in memory (test/conformance/outbox.ts holds both to it).
 */
export type OutboxChannel = 'telemetry' | 'events';

export interface OutboxBatch {
  id: string;
  channel: OutboxChannel;
  items: unknown[];
  /** Highest sequence number in the batch: batches at or below the backlog mark are backlog. */
  lastSeq: number;
}

export interface Gap {
  count: number;
  from?: string;
  to?: string;
}

export interface OutboxLimits {
  maxItems: number;
  maxAgeMs: number;
}

export interface Outbox {
  /** Items stored, batched or not. */
  readonly depth: number;
  /** The newest sequence number so far: what is at or below it when the link comes back is backlog. */
  readonly lastSeq: number;
  /** What was dropped to keep the bounds. */
  readonly gap: Gap;
  /** Batches handed out by `next` and not yet acknowledged or released. */
  readonly inFlightCount: number;
  /** Stores items, all or none, then enforces the bounds (never dropping a batch being sent). */
  push(channel: OutboxChannel, items: readonly { ts: string }[], now: Date): void;
  /**
   * The next batch to publish: first a batch formed before and not in flight (resent as it was),
   * else up to `maxItems` of the oldest unbatched items of one channel, contiguous. `after` skips
   * items at or below a sequence number (used to send live items ahead of the backlog).
   */
  next(maxItems: number, after?: number): OutboxBatch | undefined;
  /** The broker acknowledged the batch: its items leave the outbox. */
  ack(batchId: string): void;
  /** The batch was not delivered: it will be offered again by `next`. */
  release(batchId: string): void;
  close(): void;
}
