import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpoints } from '../../../../cloud/sqlite/checkpoints.ts';
import { sqliteDatabaseFeature } from '../../../../cloud/sqlite/database-feature.ts';
import { openSqlite, transaction } from '../../../../cloud/sqlite/sqlite.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';
import { waitFor } from '../../../helpers/wait.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function database() {
  const dir = await tempDir('checkpoints');
  cleanups.push(dir.remove);
  return join(dir.path, 'cloud.db');
}

/** 2,000 rows of 200 bytes: some 100 pages, in the log until a checkpoint copies them into the file. */
function fill(db: ReturnType<typeof openSqlite>): void {
  db.exec('CREATE TABLE IF NOT EXISTS t (x TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  transaction(db, () => {
    for (let i = 0; i < 2_000; i++) insert.run('x'.repeat(200));
  });
}

const autocheckpoint = (db: ReturnType<typeof openSqlite>) =>
  (db.prepare('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint;

describe('WAL checkpoints in a thread of their own', () => {
  it('copy the log into the database file while the commits no longer do', async () => {
    const path = await database();
    const db = openSqlite(path);
    const checkpoints = startCheckpoints(db, { path, everyMs: 20 });
    // The commits checkpoint only past 10,000 pages (40 MB): a safety net.
    expect(autocheckpoint(db)).toBe(10_000);
    const before = statSync(path).size;
    fill(db);
    // Only a checkpoint writes the table's pages into the file itself.
    await waitFor('the checkpoint thread to copy the log', () => statSync(path).size > before + 300_000);
    await checkpoints.stop();
    db.close();
  });

  it('are taken back by the commits when the thread fails, and the failure is told', async () => {
    const path = await database();
    const db = openSqlite(path);
    const failures: string[] = [];
    // A folder is no database: the thread fails as it opens it.
    startCheckpoints(db, { path: join(path, '..'), everyMs: 20, onFailure: (e) => failures.push(e.message) });
    await waitFor('the failure to be told', () => failures.length > 0);
    expect(failures[0]).toMatch(/^checkpoints of .+: /);
    expect(autocheckpoint(db)).toBe(1_000);
    db.close();
  });

  it('stop with the database: the last connection closed leaves no log behind', async () => {
    const path = await database();
    const feature = sqliteDatabaseFeature({
      path,
      migrations: [],
      checkpoints: { everyMs: 20, onFailure: (error) => expect.fail(error.message) },
    });
    feature.start();
    fill(feature.db);
    expect(existsSync(`${path}-wal`)).toBe(true);
    await feature.stop();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = openSqlite(path);
    expect(reopened.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 2_000 });
    reopened.close();
  });
});
