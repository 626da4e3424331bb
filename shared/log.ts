import { type Logger, pino } from 'pino';

export type { Logger };

/** A JSON logger on stdout (pino); LOG_LEVEL=silent mutes it. */
export function createLogger(name: string, level: string): Logger {
  return pino({ name, level });
}
