import type { OutboxBatch, OutboxLimits } from '../../edge/outbox/outbox.ts';

/** Items for outbox tests: numbered, one second apart. */
export interface Item {
  ts: string;
  n: number;
}

export const T0 = Date.parse('2026-11-22T16:00:00.000Z');
export const SECOND = 1_000;
export const tsOf = (n: number) => new Date(T0 + n * SECOND).toISOString();
export const item = (n: number): Item => ({ n, ts: tsOf(n) });
export const items = (from: number, count: number) => Array.from({ length: count }, (_, i) => item(from + i));
/** The numbers of a batch's items, in order. */
export const ns = (batch: OutboxBatch | undefined) => (batch?.items as Item[] | undefined)?.map((i) => i.n);
/** `now` for a push: the newest item's time, so the age bound drops nothing unless a test wants it to. */
export const NOW = new Date(T0 + 3_600 * SECOND);

export const roomy: OutboxLimits = { maxItems: 1_000, maxAgeMs: 24 * 3_600 * SECOND };
