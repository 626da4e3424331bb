import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../cloud/monitoring/counters.ts';
import { connectInflux } from '../../cloud/storage/influx.ts';
import { IngestJournal } from '../../cloud/storage/journal.ts';
import { JournalDrainer } from '../../cloud/storage/journal-drainer.ts';
import { startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { silentLog } from '../helpers/cloud.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

/** Entry `entry` of `lines` points: measurement m, tagged with the entry, one point per second. */
const entryLines = (entry: number, lines: number) =>
  Array.from({ length: lines }, (_, i) => `m,entry=${entry} v=${i} ${entry * 1_000_000 + i * 1_000}`);

async function setUp(name: string, options: { batchLines: number; concurrency: number; lingerMs?: number }) {
  const dir = await tempDir(name);
  cleanups.push(() => dir.remove());
  const influxd = await startLocalInfluxd(join(dir.path, 'influxdb'));
  cleanups.push(() => influxd.stop());
  const influx = await connectInflux({ url: influxd.url, token: '', database: 'drain', org: '' });
  const journal = new IngestJournal(join(dir.path, 'journal.db'), {
    keyTtlMs: 60_000,
    now: () => new Date(),
  });
  cleanups.push(async () => journal.close());
  const counters = new Counters();
  const rejected: { lines: string[]; reason: string }[] = [];
  const drainer = new JournalDrainer(
    journal,
    influx,
    {
      lingerMs: 0,
      ...options,
      minRetryMs: 50,
      maxRetryMs: 200,
      onRejected: (lines, reason) => {
        rejected.push({ lines, reason });
      },
    },
    counters,
    silentLog,
  );
  cleanups.push(() => drainer.stop());
  const drained = () => waitFor('the journal drained', () => journal.depth === 0);
  /** Points stored per entry. */
  const stored = async () => {
    const series = await influx.select('SELECT COUNT(v) FROM m GROUP BY entry');
    return new Map(series.map((s) => [Number(s.tags?.entry), Number(s.values?.[0]?.[1])]));
  };
  return { dir, influxd, influx, journal, counters, rejected, drainer, drained, stored };
}

describe('journal drainer with several writes in flight (real influxd)', () => {
  it('writes every entry once the journal is drained, and empties the journal', async () => {
    const { journal, drainer, drained, counters, stored } = await setUp('drain-many', {
      batchLines: 100,
      concurrency: 3,
    });
    drainer.start();
    await Promise.all(Array.from({ length: 200 }, (_, e) => journal.append({ lines: entryLines(e, 25) })));
    await drained();
    expect(journal.depth).toBe(0);
    expect(await journal.take(1_000)).toBeUndefined();
    expect(counters.get('influx_points_written')).toBe(5_000);
    const counts = await stored();
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((n) => n === 25)).toBe(true);
  });

  it('lets fewer lines than a batch wait for more, and writes a batch as soon as it is full', async () => {
    const { journal, drainer, drained, counters, stored } = await setUp('drain-linger', {
      batchLines: 10,
      concurrency: 2,
      lingerMs: 600_000,
    });
    drainer.start();
    await journal.append({ lines: entryLines(0, 4) });
    await journal.append({ lines: entryLines(1, 5) });
    await journal.append({ lines: entryLines(2, 1) });
    await drained();
    // One write: the first nine lines waited (far less than their ten minutes) for the tenth.
    expect(counters.get('influx_write_seconds_count')).toBe(1);
    expect(counters.get('influx_points_written')).toBe(10);
    expect([...(await stored()).values()]).toEqual([4, 5, 1]);
  });

  it('writes fewer lines than a batch once they have waited long enough', async () => {
    const { journal, drainer, drained, counters } = await setUp('drain-linger-due', {
      batchLines: 1_000,
      concurrency: 2,
      lingerMs: 100,
    });
    drainer.start();
    const appended = performance.now();
    await journal.append({ lines: entryLines(0, 3) });
    await drained();
    expect(performance.now() - appended).toBeGreaterThanOrEqual(99);
    expect(counters.get('influx_write_seconds_count')).toBe(1);
  });

  it('keeps a batch InfluxDB refuses as a dead letter and still writes the batches around it', async () => {
    const { journal, drainer, drained, rejected, stored } = await setUp('drain-malformed', {
      batchLines: 10,
      concurrency: 3,
    });
    // One entry per batch; entry 7 holds a line InfluxDB cannot parse.
    for (let e = 0; e < 15; e++) {
      const lines = entryLines(e, 10);
      if (e === 7) lines[4] = 'm,entry=7 this is not line protocol';
      await journal.append({ lines });
    }
    drainer.start();
    await drained();
    expect(journal.depth).toBe(0);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.lines.join('\n')).toContain('this is not line protocol');
    const counts = await stored();
    for (let e = 0; e < 15; e++) if (e !== 7) expect(counts.get(e), `entry ${e}`).toBe(10);
  });

  it('retries from the oldest unconfirmed batch while InfluxDB is down, and loses nothing', async () => {
    const { dir, influxd, journal, drainer, drained, counters, stored } = await setUp('drain-down', {
      batchLines: 50,
      concurrency: 3,
    });
    const httpPort = Number(new URL(influxd.url).port);
    await influxd.stop();
    for (let e = 0; e < 40; e++) await journal.append({ lines: entryLines(e, 20) });
    drainer.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(counters.get('influx_write_errors')).toBeGreaterThan(0);
    expect(journal.depth).toBe(800);
    const again = await startLocalInfluxd(join(dir.path, 'influxdb'), { httpPort });
    cleanups.push(() => again.stop());
    await drained();
    expect(journal.depth).toBe(0);
    const counts = await stored();
    expect(counts.size).toBe(40);
    expect([...counts.values()].every((n) => n === 20)).toBe(true);
  });
});
