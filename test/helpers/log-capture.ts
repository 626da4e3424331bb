import { Writable } from 'node:stream';
import { pino } from 'pino';

/** A pino logger that keeps what it writes, parsed, so that a test can look for an event in the logs. */
export function captureLog() {
  const entries: ({ level: number; msg: string } & Record<string, unknown>)[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line) entries.push(JSON.parse(line));
      callback();
    },
  });
  return { log: pino({ level: 'debug' }, stream), entries };
}
