import type { ResourceLimits } from 'node:worker_threads';

/**
 * The V8 limits of the cloud's worker threads (storage, seen times, checkpoints). Left to V8, a busy
 * thread's young generation grows with its allocation rate up to the machine's default (192 MB: two
 * semi-spaces of 64 MB and their large objects), committed and kept: a storage thread held 136 MB
 * of heap for ~20 MB of live objects while a region's readings came in. Their live data are small
 * and short-lived (a batch on its way to the journal or InfluxDB), so semi-spaces of 8 MB collect
 * them as well, and every tenant's storage thread costs tens of MB of memory less.
 */
export const workerThreadLimits: ResourceLimits = { maxYoungGenerationSizeMb: 24 };
