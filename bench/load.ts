import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.ts';
import type { LoadProgress, LoadResult, LoadSpec } from './load-worker.ts';
import { int, say } from './util.ts';

const workerPath = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

export interface LoadRun {
  pid: number;
  result: Promise<LoadResult>;
}

/**
 * Starts the load generator in its own process and prints its progress every second.
 * `label` names the phase in the progress lines.
 */
export function startLoad(spec: LoadSpec, label: string): LoadRun {
  const child = fork(workerPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stop = onCleanup(`load generator ${label}`, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let last = { at: performance.now(), acked: 0 };
  const result = new Promise<LoadResult>((resolve, reject) => {
    child.on('message', (message: LoadProgress | LoadResult) => {
      if (message.type === 'progress') {
        const now = performance.now();
        const rate = ((message.ackedBatches - last.acked) * spec.batchSize) / ((now - last.at) / 1000);
        last = { at: now, acked: message.ackedBatches };
        say(
          `${label}: ${int(message.sentBatches)} batches sent, ${int(message.ackedBatches)} acknowledged, ${int(rate)} readings/s acknowledged`,
        );
      } else resolve(message);
    });
    // 'close' comes after the IPC channel closed, so the result message has been seen by then.
    child.once('close', (code) => {
      void stop();
      reject(new Error(`the load generator exited with ${code} before reporting`));
    });
  });
  child.send(spec);
  return { pid: child.pid as number, result };
}
