import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import { deadLetterIntake } from './intake.ts';
import type { DeadLetterStore, DeadLetterStoreOptions } from './store.ts';

/** How often raw payloads past their expiry are deleted (reading one past expiry deletes it too). */
export const rawPruneEveryMs = 10 * 60_000;

export interface DeadLettersFeatureDeps {
  /** Opens the store with the feature's quotas (its tenant's, or the platform's for letters of none). */
  open(options: DeadLetterStoreOptions): DeadLetterStore;
  /** Bytes of dead letters kept per gateway (DEAD_LETTER_QUOTA_BYTES). */
  quotaBytes: number;
  /** Bytes of all its dead letters together (a tenant's `deadLetterBytes` quota); unlimited without. */
  totalQuotaBytes?: () => number;
  /** How long a payload kept by a debug capture is kept (DEAD_LETTER_RAW_TTL_H). */
  rawTtlMs: number;
  counters: Counters;
  log: Logger;
  now: () => Date;
}

/** The dead-letter store, the intake that fills it, and the job that deletes expired raw payloads. */
export function deadLettersFeature(deps: DeadLettersFeatureDeps) {
  const { quotaBytes, totalQuotaBytes, rawTtlMs, counters, log, now } = deps;
  const store = deps.open({ quotaBytes, totalQuotaBytes, now });
  const intake = deadLetterIntake({ store, counters, log, now, rawTtlMs });
  let timer: NodeJS.Timeout | undefined;
  const prune = () =>
    store.dropExpiredPayloads().then(
      (removed) => {
        if (removed > 0) log.info({ removed }, 'expired raw dead-letter payloads deleted');
      },
      (error: Error) => log.error({ err: error }, 'deleting expired raw dead-letter payloads failed'),
    );
  return {
    name: 'dead letters',
    store,
    intake,
    /** Deletes the raw payloads past their expiry now (the timer does it every 10 minutes). */
    prune,
    async start() {
      await prune();
      timer = setInterval(prune, rawPruneEveryMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
