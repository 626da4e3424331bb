import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../cloud/monitoring/counters.ts';
import { connectInflux } from '../../cloud/storage/influx.ts';
import { startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { StorageThread, type StorageThreadOptions } from '../../cloud/storage/storage-thread.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { silentLog } from '../helpers/cloud.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const cleanups = cleanupsAfterAll();

async function setUp(name: string, options: Partial<StorageThreadOptions> = {}) {
  const dir = await tempDir(name);
  cleanups.push(() => dir.remove());
  const influxd = await startLocalInfluxd(join(dir.path, 'influxdb'));
  cleanups.push(() => influxd.stop());
  const influx = await connectInflux({ url: influxd.url, token: '', database: 'storage', org: '' });
  const failures: Error[] = [];
  const storage = await StorageThread.start({
    path: join(dir.path, 'journal.db'),
    maxLines: 1_000_000,
    keyTtlMs: 60_000,
    influx: { settings: influx.settings, server: influx.server },
    drain: { batchLines: 100, concurrency: 2, lingerMs: 0, minRetryMs: 50, maxRetryMs: 200 },
    logLevel: 'silent',
    counters: new Counters(),
    log: silentLog,
    now: () => new Date(),
    onRejected: () => undefined,
    onFailure: (error) => failures.push(error),
    ...options,
  });
  cleanups.push(() => storage.stop());
  return { dir, influxd, influx, storage, failures };
}

const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `m v=${from + i} ${from + i}`);

describe('storage thread (journal and drainer in a worker, real influxd)', () => {
  it('remembers batch keys by the cloud clock, also when it is behind the wall clock', async () => {
    const behind = Date.now() - 3_600_000;
    const { storage } = await setUp('storage-clock', { now: () => new Date(behind), keyTtlMs: 600_000 });
    await storage.append({ lines: lines(0, 3), key: 'gw-1/b1' });
    await storage.drained();
    // Removing the drained lines also forgets expired keys: by the cloud's clock this one is fresh.
    await expect(storage.seen('gw-1/b1')).resolves.toBeUndefined();
    expect(storage.seen('gw-1/b2')).toBeUndefined();
  });

  it('holds appends beyond maxLines until InfluxDB has taken lines, in order', async () => {
    const { dir, influxd, storage } = await setUp('storage-room', { maxLines: 10 });
    const httpPort = Number(new URL(influxd.url).port);
    await influxd.stop();
    await storage.append({ lines: lines(0, 10) });
    const order: number[] = [];
    const later = [1, 2, 3].map((n) =>
      storage.append({ lines: lines(n * 100, 5) }).then(() => order.push(n)),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(order).toEqual([]);
    expect(storage.depth).toBe(10);
    const again = await startLocalInfluxd(join(dir.path, 'influxdb'), { httpPort });
    cleanups.push(() => again.stop());
    await Promise.all(later);
    expect(order).toEqual([1, 2, 3]);
    await storage.drained();
    expect(storage.depth).toBe(0);
  });

  it('removes a batch InfluxDB refuses only once it is kept as a dead letter, retrying until it is', async () => {
    const kept: string[][] = [];
    let attempts = 0;
    const { storage, failures } = await setUp('storage-rejected', {
      onRejected: (rejected) => {
        attempts++;
        if (attempts === 1) throw new Error('dead-letter store busy');
        kept.push(rejected);
      },
    });
    await storage.append({ lines: ['m this is not line protocol'] });
    await storage.drained();
    expect(attempts).toBe(2);
    expect(kept).toEqual([['m this is not line protocol']]);
    expect(failures).toEqual([]);
  });
});
