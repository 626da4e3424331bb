import type { Logger } from 'pino';

/**
 * One part of a process with a life: built by a factory that takes only what it uses (the factory
 * does no work), started by `start()`, stopped by `stop()`. A feature that holds nothing once started
 * (it only does something at start) has no `stop`.
 */
export interface Feature {
  /** Names the feature in logs and errors. */
  readonly name: string;
  start(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/** Starts one feature after those started before it, and returns it for the next ones to use. */
export type StartFeature = <F extends Feature>(feature: F) => Promise<F>;

/**
 * Builds and starts features one after another, in the order `build` starts them (each factory sees
 * the features started before it). The returned `stop` stops them in reverse order, each even if
 * another failed. If `build` fails half-way (a factory or a start throws), what was started is
 * stopped, last first, and the error is thrown again, naming the feature that failed.
 */
export async function startFeatures<T>(
  log: Logger,
  build: (start: StartFeature) => Promise<T>,
): Promise<{ value: T; stop: () => Promise<void> }> {
  const started: Feature[] = [];
  const stop = async () => {
    for (const feature of started.splice(0).reverse()) {
      try {
        await feature.stop?.();
      } catch (error) {
        log.error({ err: error, part: feature.name }, 'stopping failed');
      }
    }
  };
  const start: StartFeature = async (feature) => {
    const begun = performance.now();
    try {
      await feature.start();
    } catch (error) {
      throw new Error(`${feature.name} failed to start: ${(error as Error).message}`, { cause: error });
    }
    started.push(feature);
    // How long each part took: where a slow start goes (LOG_LEVEL=debug).
    log.debug({ part: feature.name, ms: Math.round(performance.now() - begun) }, 'part started');
    return feature;
  };
  try {
    return { value: await build(start), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
