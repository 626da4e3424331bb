import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import { startCron } from '../lifecycle/cron.ts';
import type { AlertDigest, DigestSummaryInput } from './channel.ts';
import { buildDigest } from './digest.ts';

export interface DigestJob {
  /** Channel names; one digest is sent to each. */
  channels: readonly string[];
  /** The city's time zone (IANA); the schedule and the digest's date use it. */
  timezone: string;
  collect: () => DigestSummaryInput | Promise<DigestSummaryInput>;
  /** Usually `(channels, digest) => notifier.digest(channels, digest)`. */
  notify: (channels: readonly string[], digest: AlertDigest) => Promise<unknown>;
  log: Logger;
  now?: () => Date;
}

/** The digest job's body: collect, build, send. Logs instead of throwing; tests call it directly. */
export async function runDigest(job: DigestJob): Promise<AlertDigest | undefined> {
  try {
    const digest = buildDigest(await job.collect(), job.now?.() ?? new Date(), job.timezone);
    await job.notify(job.channels, digest);
    job.log.info({ digestId: digest.digestId, channels: job.channels }, 'alert digest sent');
    return digest;
  } catch (error) {
    job.log.error({ err: error }, 'alert digest failed');
    return undefined;
  }
}

/** Schedules the daily digest (e.g. `0 7 * * *` in the city's zone); returns a stop function. */
export function startDigest(job: DigestJob & { cron: string; clock?: Clock }): () => Promise<void> {
  return startCron(
    job.cron,
    { name: 'alert-digest', timezone: job.timezone, log: job.log, clock: job.clock },
    () => runDigest(job),
  );
}
