import { existsSync, readdirSync, statSync } from 'node:fs';
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

  it('run in one thread for every database of the process, each stopping or failing on its own', async () => {
    const threads = () => readdirSync('/proc/self/task').length;
    const paths = [await database(), await database(), await database()];
    const before = threads();
    const dbs = paths.map((path) => openSqlite(path));
    const sizes = paths.map((path) => statSync(path).size);
    const failures: string[] = [];
    const [first, second] = dbs.slice(0, 2).map((db, i) =>
      startCheckpoints(db, {
        path: paths[i] as string,
        everyMs: 20,
        onFailure: (e) => failures.push(e.message),
      }),
    );
    const broken = startCheckpoints(dbs[2] as ReturnType<typeof openSqlite>, {
      path: join(paths[2] as string, '..'),
      everyMs: 20,
      onFailure: (e) => failures.push(e.message),
    });
    await waitFor('the folder to fail', () => failures.length === 1);
    expect(autocheckpoint(dbs[2] as ReturnType<typeof openSqlite>)).toBe(1_000);
    await first?.stop();
    fill(dbs[1] as ReturnType<typeof openSqlite>);
    await waitFor(
      'the second database checkpointed',
      () => statSync(paths[1] as string).size > (sizes[1] as number) + 300_000,
    );
    fill(dbs[0] as ReturnType<typeof openSqlite>);
    // The first one's checkpoints stopped: its log keeps the new pages until a commit or a close copies them.
    expect(statSync(paths[0] as string).size).toBe(sizes[0]);
    // One thread for the three (a worker thread is one OS thread; a thread each would be three).
    expect(threads() - before).toBeLessThanOrEqual(1);
    await second?.stop();
    await broken.stop();
    expect(failures).toHaveLength(1);
    for (const db of dbs) db.close();
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
