import type { Logger } from 'pino';

/** Start-up was interrupted by a stop (a signal): the part named did not start, or was stopped again. */
export class StartInterrupted extends Error {
  constructor(part: string) {
    super(`start-up interrupted before ${part} was running`);
  }
}

/**
 * The parts of a process that `npm start` runs (influxd, the cloud, the gateways), stopped last
 * started first. A stop may come at any time, also during start-up: the part starting then is
 * stopped once it is up, and no part starts after it (`start` throws StartInterrupted).
 */
export class StartedParts {
  readonly #log: Logger;
  readonly #parts: { name: string; stop: () => Promise<void> }[] = [];
  #starting: Promise<unknown> = Promise.resolve();
  #stopping: Promise<void> | undefined;

  constructor(log: Logger) {
    this.#log = log;
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /** Starts a part (unless stopping has begun) and remembers how to stop it. */
  async start<T>(name: string, run: () => Promise<T>, stopOf: (value: T) => () => Promise<void>): Promise<T> {
    if (this.#stopping) throw new StartInterrupted(name);
    const started = (async () => {
      const value = await run();
      this.#parts.push({ name, stop: stopOf(value) });
      return value;
    })();
    this.#starting = started.catch(() => undefined);
    const value = await started;
    if (this.#stopping) throw new StartInterrupted(name);
    return value;
  }

  /** Stops every part started (waiting for one still starting), last first, each even if another failed. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#starting;
      for (const part of this.#parts.reverse()) {
        try {
          await part.stop();
        } catch (error) {
          this.#log.error({ err: error, part: part.name }, 'could not stop cleanly');
        }
      }
    })();
    return this.#stopping;
  }
}
