import { type ScheduledTask, schedule, validate } from 'node-cron';
import type { Logger } from 'pino';
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

export interface PruningJob {
  /** Deletes what is old enough (resolved alerts, sent keys, deliveries); returns how many. */
  prune: () => number | Promise<number>;
  log: Logger;
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

/** The pruning job's body; returns how many records it removed (0 on failure, logged). */
export async function runPruning(job: PruningJob): Promise<number> {
  try {
    const removed = await job.prune();
    job.log.info({ removed }, 'pruned old alerts');
    return removed;
  } catch (error) {
    job.log.error({ err: error }, 'pruning old alerts failed');
    return 0;
  }
}

function cronLogger(log: Logger) {
  return {
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string | Error, err?: Error) => log.error({ err: err ?? message }, String(message)),
    debug: (message: string | Error, err?: Error) => log.debug({ err }, String(message)),
  };
}

function start(
  expression: string,
  options: { name: string; timezone?: string; log: Logger },
  body: () => Promise<unknown>,
): () => Promise<void> {
  if (!validate(expression)) throw new Error(`${options.name}: invalid cron expression "${expression}"`);
  if (options.timezone) new Intl.DateTimeFormat('en', { timeZone: options.timezone }); // throws on a bad zone
  const task: ScheduledTask = schedule(expression, body, {
    name: options.name,
    timezone: options.timezone,
    noOverlap: true,
    logger: cronLogger(options.log),
  });
  return async () => {
    await task.stop();
    await task.destroy();
  };
}

/** Schedules the daily digest (e.g. `0 7 * * *` in the city's zone); returns a stop function. */
export function startDigest(job: DigestJob & { cron: string }): () => Promise<void> {
  return start(job.cron, { name: 'alert-digest', timezone: job.timezone, log: job.log }, () =>
    runDigest(job),
  );
}

/** Schedules pruning of old resolved alerts; returns a stop function. */
export function startPruning(job: PruningJob & { cron: string; timezone?: string }): () => Promise<void> {
  return start(job.cron, { name: 'alert-pruning', timezone: job.timezone, log: job.log }, () =>
    runPruning(job),
  );
}
