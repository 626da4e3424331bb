import { parentPort } from 'node:worker_threads';
import { type DistrictPoints, outlinesOf } from './outline.ts';

/**
 * The district outlines' thread (outlines-thread.ts): takes the districts' points once, answers with
 * their outlines (or why it could not), and is ended by its parent.
 */
parentPort?.once('message', (districts: DistrictPoints[]) => {
  try {
    parentPort?.postMessage({ features: outlinesOf(districts) });
  } catch (error) {
    parentPort?.postMessage({ failed: (error as Error).message });
  }
});
