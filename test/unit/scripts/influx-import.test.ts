import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { InfluxConnection } from '../../../cloud/storage/influx.ts';
import type { Series } from '../../../cloud/storage/influxql.ts';
import { shardsHoldingData, waitForImport } from '../../../scripts/backup/influx-import.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const run = promisify(execFile);
const removals: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const remove of removals) await remove();
});

/** A portable backup folder as `influxd backup -portable` writes it: a manifest and a gzipped tar per shard. */
async function portableBackup(shards: { database: string; id: number; files: string[]; format?: string }[]) {
  const dir = await tempDir('influx-import');
  removals.push(dir.remove);
  const files = [];
  for (const shard of shards) {
    const inside = join(dir.path, `shard-${shard.id}`);
    await mkdir(inside);
    for (const file of shard.files) await writeFile(join(inside, file), 'tsm bytes');
    const fileName = `20261130T000000Z.s${shard.id}.tar.gz`;
    const names = shard.files.length > 0 ? shard.files : ['-T', '/dev/null'];
    await run('tar', [
      'czf',
      join(dir.path, fileName),
      `--format=${shard.format ?? 'gnu'}`,
      '-C',
      inside,
      ...names,
    ]);
    files.push({ database: shard.database, policy: 'autogen', shardID: shard.id, fileName, size: 0 });
  }
  await writeFile(join(dir.path, '20261130T000000Z.manifest'), JSON.stringify({ files }));
  return dir.path;
}

/** An InfluxConnection whose `SHOW STATS` answers, call after call, the next of `answers` (then the last). */
function statsAnswering(...answers: Series[][]): InfluxConnection {
  let call = 0;
  return {
    query: async () => [answers[Math.min(call++, answers.length - 1)] ?? []],
  } as unknown as InfluxConnection;
}
const filestore = (database: string, id: string, numFiles: number): Series => ({
  name: 'tsm1_filestore',
  tags: { database, id, retentionPolicy: 'autogen' },
  columns: ['diskBytes', 'numFiles'],
  values: [[numFiles * 100, numFiles]],
});

describe('the shards of a portable backup that hold data', () => {
  it('counts the shards of the database whose tar holds a file, pax headers and long names included', async () => {
    const folder = await portableBackup([
      { database: 'city', id: 1, files: ['000000001-000000001.tsm'] },
      { database: 'city', id: 2, files: [] },
      { database: 'city', id: 3, files: [`${'x'.repeat(120)}.tsm`, 'a.tombstone'], format: 'pax' },
      { database: 'other', id: 4, files: ['000000001-000000001.tsm'] },
    ]);
    expect(await shardsHoldingData(folder, 'city')).toBe(2);
    expect(await shardsHoldingData(folder, 'other')).toBe(1);
    expect(await shardsHoldingData(folder, 'none')).toBe(0);
  });
});

describe('waiting until InfluxDB has imported the shards', () => {
  it('returns once as many shards of the database are open with files as the backup holds', async () => {
    const influx = statsAnswering(
      [filestore('city', '7', 0)], // created by the restore's metadata, still empty
      [], // being imported: disabled, no statistics
      [filestore('city', '7', 1), filestore('other', '8', 3)],
    );
    await expect(waitForImport(influx, 'city', 1, () => undefined)).resolves.toBeUndefined();
  });

  it('fails, naming how many were imported, when no more shard comes', async () => {
    const influx = statsAnswering([filestore('city', '7', 1), filestore('city', '9', 0)]);
    await expect(waitForImport(influx, 'city', 2, () => undefined, 300)).rejects.toThrow(
      /city: 1 of the backup's 2 shards with data were imported, and none more in 0.3 s/,
    );
  });
});
