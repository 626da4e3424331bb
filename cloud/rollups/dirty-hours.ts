import { z } from 'zod';

/** A (measurement, hour) whose raw points changed since its rollup was computed. */
export interface HourKey {
  measurement: string;
  /** The hour's start (ms since the epoch, a whole UTC hour). */
  hour: number;
}

/** A dirty hour as taken for computing: `seq` tells a later mark from the one taken. */
export interface DirtyHour extends HourKey {
  seq: number;
}

/** What the rollup task remembers between runs, beside the dirty hours. */
export const rollupState = z.object({
  /** The newest hour the rollups have seen (marked while enabled): a gap after it is backfilled. */
  lastHour: z.number().optional(),
  /** A backfill of past hours: how many it marked and when it started; `done` once none is left. */
  backfill: z
    .object({ hours: z.int().min(0), startedAt: z.string(), done: z.string().optional() })
    .optional(),
});
export type RollupState = z.infer<typeof rollupState>;

/**
 * The dirty hours of a tenant's rollups, durable: the storage path marks an hour dirty once InfluxDB
 * has its new points (and before they leave the journal), the rollup task recomputes it and clears
 * the mark, unless the hour was marked again meanwhile. test/conformance/dirty-hour-store.ts is the
 * suite every store must pass.
 */
export interface DirtyHourStore {
  /** Marks hours dirty; a mark always gets a `seq` above every one taken before. */
  mark(hours: readonly HourKey[]): Promise<void>;
  /** Up to `limit` dirty hours, newest hour first (live data before a backfill's past), then by measurement. */
  dirty(limit: number): Promise<DirtyHour[]>;
  /** How many hours are dirty. */
  count(): Promise<number>;
  /** Clears the marks that were computed: a mark made after `dirty()` answered (a higher seq) stays. */
  clear(done: readonly DirtyHour[]): Promise<void>;
  readState(): Promise<RollupState>;
  writeState(state: RollupState): Promise<void>;
}

/** Newest hour first, then by measurement. */
export function byNewestHour(a: HourKey, b: HourKey): number {
  return b.hour - a.hour || (a.measurement < b.measurement ? -1 : a.measurement > b.measurement ? 1 : 0);
}
