import { type Logger, pino } from 'pino';

export type { Logger };

/** A JSON logger on stdout (pino); LOG_LEVEL=silent mutes it. */
export function createLogger(name: string, level: string): Logger {
  return pino({ name, level });
}

/**
 * The logger for a process a person may watch: text lines (pino-pretty: time, level, message and
 * fields) when stdout is a terminal, JSON lines (for machines: files, journald, log shippers)
 * otherwise. pino-pretty is loaded only then.
 */
export async function createConsoleLogger(
  name: string,
  level: string,
  terminal = process.stdout.isTTY === true,
): Promise<Logger> {
  if (!terminal) return createLogger(name, level);
  const { PinoPretty } = await import('pino-pretty');
  return pino(
    { name, level },
    PinoPretty({ sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }),
  );
}
