import { fileURLToPath } from 'node:url';
import type { LoadProgress, LoadResult, LoadSpec } from './load-worker.ts';
import { int, say } from './util.ts';
import { forkWorker } from './worker.ts';

const workerPath = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

export interface LoadRun {
  pid: number;
  result: Promise<LoadResult>;
  /** Resolves at the first progress report: every gateway connected, the load under way. */
  started: Promise<void>;
}

/** Readings acknowledged per second of a run, from its first publish to its last PUBACK. */
export const acknowledgedPerS = (result: LoadResult) =>
  result.ackedReadings / Math.max(0.001, (result.lastAckAt - result.firstPublishAt) / 1000);

/**
 * Starts the load generator in its own process and prints its progress every second.
 * `label` names the phase in the progress lines.
 */
export function startLoad(spec: LoadSpec, label: string): LoadRun {
  let last = { at: performance.now(), acked: 0 };
  let reported: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    reported = resolve;
  });
  const run = forkWorker<LoadProgress, LoadResult>(workerPath, spec, `load generator ${label}`, (message) => {
    reported();
    const now = performance.now();
    const rate = ((message.ackedBatches - last.acked) * spec.batchSize) / ((now - last.at) / 1000);
    last = { at: now, acked: message.ackedBatches };
    say(
      `${label}: ${int(message.sentBatches)} batches sent, ${int(message.ackedBatches)} acknowledged, ${int(rate)} readings/s acknowledged`,
    );
  });
  return { ...run, started };
}
