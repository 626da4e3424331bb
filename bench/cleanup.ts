import { say } from './util.ts';

/**
 * Everything the benchmark starts (influxd, mosquitto, the cloud, an edge agent, workers) registers
 * how to stop it here. `stopAll()` runs them newest first, each even if another fails; it also runs
 * on SIGINT/SIGTERM and on an uncaught error, so no process outlives the benchmark.
 */
const stack: { name: string; stop: () => unknown }[] = [];
let stopping: Promise<void> | undefined;

/** Registers a stop function; returns a function that runs it now and unregisters it. */
export function onCleanup(name: string, stop: () => unknown): () => Promise<void> {
  const entry = { name, stop };
  stack.push(entry);
  return async () => {
    const index = stack.indexOf(entry);
    if (index < 0) return;
    stack.splice(index, 1);
    await runStep(entry);
  };
}

async function runStep(entry: { name: string; stop: () => unknown }): Promise<void> {
  try {
    await entry.stop();
  } catch (error) {
    say(`stopping ${entry.name} failed: ${(error as Error).message}`);
  }
}

export function stopAll(): Promise<void> {
  stopping ??= (async () => {
    while (stack.length > 0) await runStep(stack.pop() as (typeof stack)[number]);
  })();
  return stopping;
}

/** Stops everything on Ctrl-C, SIGTERM or a crash, then exits. */
export function installCleanupHandlers(): void {
  const bail = (code: number) => () => {
    void stopAll().finally(() => process.exit(code));
  };
  process.once('SIGINT', bail(130));
  process.once('SIGTERM', bail(143));
  process.once('uncaughtException', (error) => {
    console.error(error);
    bail(1)();
  });
}
