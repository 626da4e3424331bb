import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import { startCron } from '../lifecycle/cron.ts';

const dayMs = 86_400_000;

/** A store whose old records the pruning job deletes. */
export interface RetainedStore {
  /** Names the store in logs and in what the job returns, e.g. `alerts`. */
  name: string;
  /** Its retention (the `*_RETENTION_DAYS` setting). */
  days: number;
  /** Deletes what is older than `before`; returns how many records. */
  prune(before: Date): number | Promise<number>;
}

export interface PruningJob {
  stores: readonly RetainedStore[];
  log: Logger;
  now: () => Date;
}

/**
 * The pruning job's body: each store loses what is older than its retention, counted from `now`.
 * A store that fails is logged (with its name) and counted as 0; the others are still pruned.
 * Returns how many records each store lost.
 */
export async function runPruning(job: PruningJob): Promise<Record<string, number>> {
  const at = job.now().getTime();
  const removed: Record<string, number> = {};
  for (const store of job.stores) {
    const before = new Date(at - store.days * dayMs);
    try {
      removed[store.name] = await store.prune(before);
      job.log.info(
        { store: store.name, removed: removed[store.name], before: before.toISOString() },
        'retention: pruned',
      );
    } catch (error) {
      removed[store.name] = 0;
      job.log.error(
        { err: error, store: store.name, before: before.toISOString() },
        'retention: pruning failed',
      );
    }
  }
  return removed;
}

export interface RetentionFeatureDeps extends PruningJob {
  /** When the job runs (PRUNE_CRON), in `timezone` (the city's). */
  cron: string;
  timezone: string;
  /** The clock the schedule follows (a simulated one in the demo); `now` reads the same time. */
  clock?: Clock;
}

/** The pruning job on its schedule: every store keeps its records as long as its retention says. */
export function retentionFeature(deps: RetentionFeatureDeps) {
  let stop: (() => Promise<void>) | undefined;
  return {
    name: 'retention',
    start() {
      stop = startCron(
        deps.cron,
        { name: 'retention-pruning', timezone: deps.timezone, log: deps.log, clock: deps.clock },
        () => runPruning(deps),
      );
    },
    async stop() {
      await stop?.();
    },
  };
}
