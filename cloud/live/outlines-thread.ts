import { Worker } from 'node:worker_threads';
import { workerThreadLimits } from '../lifecycle/thread-limits.ts';
import type { DistrictFeature, DistrictPoints } from './outline.ts';

/** What the thread answers. */
type FromOutlines = { features: DistrictFeature[] } | { failed: string };

/**
 * The districts' outlines made by a thread of its own (outline-worker.ts), started for them and ended
 * once they are made: the hulls and buffers of a region's districts are seconds of CPU, which the
 * main thread meanwhile spends on the rest of its start (the map's cluster index), and their
 * garbage is the thread's, gone with it. The points are handed over, not copied.
 */
export function outlinesInThread(districts: DistrictPoints[]): Promise<DistrictFeature[]> {
  const worker = new Worker(new URL('./outline-worker.ts', import.meta.url), {
    resourceLimits: workerThreadLimits,
  });
  return new Promise<DistrictFeature[]>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`district outlines thread failed: ${why}`));
    worker.once('error', (error) => fail(error.message));
    worker.once('exit', (code) => fail(`it exited (code ${code}) before answering`));
    worker.once('message', (answer: FromOutlines) => {
      if ('failed' in answer) fail(answer.failed);
      else resolve(answer.features);
    });
    worker.postMessage(
      districts,
      districts.map((d) => d.points.buffer as ArrayBuffer),
    );
  }).finally(() => void worker.terminate());
}
