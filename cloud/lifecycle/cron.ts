import { type ScheduledTask, schedule, validate } from 'node-cron';
import type { Logger } from 'pino';

function cronLogger(log: Logger) {
  return {
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string | Error, err?: Error) => log.error({ err: err ?? message }, String(message)),
    debug: (message: string | Error, err?: Error) => log.debug({ err }, String(message)),
  };
}

/**
 * Runs `body` on a cron schedule (never two runs at once); returns a stop function. Throws, naming
 * the job, on an invalid expression or time zone.
 */
export function startCron(
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
