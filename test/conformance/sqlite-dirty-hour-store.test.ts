import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SqliteDirtyHourStore } from '../../cloud/rollups/sqlite-dirty-hours.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { dirtyHourStoreConformance } from './dirty-hour-store.ts';

dirtyHourStoreConformance('SQLite', () => new SqliteDirtyHourStore(openSqlite(':memory:')));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

it('SQLite: marks and state survive closing and opening the database again', async () => {
  const dir = await tempDir('dirty-hours');
  cleanups.push(dir.remove);
  const path = join(dir.path, 'rollups.db');
  const first = openSqlite(path);
  const store = new SqliteDirtyHourStore(first);
  await store.mark([{ measurement: 'camera', hour: 3_600_000 }]);
  await store.writeState({ lastHour: 3_600_000 });
  first.close();
  const second = openSqlite(path);
  const reopened = new SqliteDirtyHourStore(second);
  expect((await reopened.dirty(5)).map((d) => d.hour)).toEqual([3_600_000]);
  expect(await reopened.readState()).toEqual({ lastHour: 3_600_000 });
  second.close();
});
