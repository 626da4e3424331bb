import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestJournal } from '../../cloud/storage/journal.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { journalStoreConformance } from './journal-store.ts';

journalStoreConformance('SQLite in memory', (options) => new IngestJournal(':memory:', options));
// Newest entries beyond what it keeps in memory for the drainer: read back from the database.
journalStoreConformance(
  'SQLite, holding 3 lines in memory',
  (options) => new IngestJournal(':memory:', { ...options, recentLines: 3 }),
);

describe('IngestJournal on disk', async () => {
  const dir = await tempDir('journal-store');
  afterAll(() => dir.remove());
  let files = 0;
  journalStoreConformance(
    'SQLite on disk (write-ahead log flushed)',
    (options) => new IngestJournal(join(dir.path, `j${++files}.db`), options),
  );

  it('keeps what it did not hand over to InfluxDB, and the batch keys, across a restart', async () => {
    const path = join(dir.path, 'restart.db');
    const options = { keyTtlMs: 60_000, now: () => new Date() };
    const first = new IngestJournal(path, options);
    await first.append({ lines: ['m v=1'], key: 'gw-1/1' });
    await first.append({ lines: ['m v=2', 'm v=3'], key: 'gw-1/2' });
    const batch = await first.take(1);
    await first.remove(batch?.lastId as number, batch?.count as number);
    first.close();
    const second = new IngestJournal(path, options);
    expect(second.depth).toBe(2);
    expect((await second.take(10))?.records).toEqual(['m v=2\nm v=3']);
    expect(second.seen('gw-1/1')).toBeDefined();
    second.close();
  });
});
