import { askThread } from '../lifecycle/answer-thread.ts';
import type { DistrictFeature, DistrictPoints } from './outline.ts';

/**
 * The districts' outlines made by a thread of its own (outline-worker.ts), started for them and ended
 * once they are made: the hulls and buffers of a region's districts are seconds of CPU, which the
 * main thread meanwhile spends on the rest of its start (the map's cluster index), and their
 * garbage is the thread's, gone with it. The points are handed over, not copied.
 */
export function outlinesInThread(districts: DistrictPoints[]): Promise<DistrictFeature[]> {
  return askThread(
    new URL('./outline-worker.ts', import.meta.url),
    'district outlines',
    districts,
    districts.map((d) => d.points.buffer as ArrayBuffer),
  );
}
