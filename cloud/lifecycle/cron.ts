import { CronExpressionParser } from 'cron-parser';
import { type ScheduledTask, schedule, validate } from 'node-cron';
import type { Logger } from 'pino';
import { type Clock, realMs, wallClock } from '../../shared/clock.ts';

function cronLogger(log: Logger) {
  return {
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string | Error, err?: Error) => log.error({ err: err ?? message }, String(message)),
    debug: (message: string | Error, err?: Error) => log.debug({ err }, String(message)),
  };
}

export interface CronOptions {
  name: string;
  timezone?: string;
  log: Logger;
  /** Whose time the schedule follows: the wall clock (node-cron) unless a simulated one is given. */
  clock?: Clock;
}

/**
 * Runs `body` on a cron schedule (never two runs at once); returns a stop function. Throws, naming
 * the job, on an invalid expression or time zone.
 */
export function startCron(
  expression: string,
  options: CronOptions,
  body: () => Promise<unknown>,
): () => Promise<void> {
  if (!validate(expression)) throw new Error(`${options.name}: invalid cron expression "${expression}"`);
  if (options.timezone) new Intl.DateTimeFormat('en', { timeZone: options.timezone }); // throws on a bad zone
  const clock = options.clock ?? wallClock;
  if (clock.speed !== 1) return startOnClock(expression, { ...options, clock }, body);
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

/**
 * The same schedule on a simulated clock (the demo's fast time): cron-parser finds the next
 * occurrence in the clock's time, and a timer waits the real time until then. Runs do not overlap:
 * the next one is planned when a run ends. A timer may fire a little before the clock reaches the
 * occurrence (Node's timers count from the event loop's cached time, and one real millisecond is
 * many simulated seconds): it then waits for the rest, so that no run is early. One that fires late
 * runs once, and the occurrences it passed are skipped, as node-cron skips missed ones.
 */
function startOnClock(
  expression: string,
  options: CronOptions & { clock: Clock },
  body: () => Promise<unknown>,
): () => Promise<void> {
  const { clock, log, name } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  /** The last occurrence run: planning from it does not find it again. */
  let after = clock.now().getTime() - 1;
  const plan = () => {
    const from = Math.max(clock.now().getTime(), after);
    const next = CronExpressionParser.parse(expression, { currentDate: new Date(from), tz: options.timezone })
      .next()
      .getTime();
    const fire = () => {
      const early = next - clock.now().getTime();
      if (early > 0) {
        timer = setTimeout(fire, realMs(clock, early));
        return;
      }
      after = next;
      running = body()
        .then(
          () => undefined,
          (error: unknown) => log.error({ err: error, job: name }, 'scheduled job failed'),
        )
        .finally(() => {
          running = undefined;
          if (!stopped) plan();
        });
    };
    timer = setTimeout(fire, realMs(clock, next - from));
  };
  plan();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
