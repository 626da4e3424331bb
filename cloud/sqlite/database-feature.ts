import type { DatabaseSync } from 'node:sqlite';
import { startCheckpoints } from './checkpoints.ts';
import type { Migration } from './migrations.ts';
import { openSqlite } from './sqlite.ts';

/**
 * The embedded database file: opened at start, closed at stop. With `checkpoints`, its WAL checkpoints
 * run in a thread of their own (checkpoints.ts): for a database written all the time (a tenant's).
 */
export function sqliteDatabaseFeature(deps: {
  path: string;
  migrations: readonly Migration[];
  checkpoints?: { everyMs: number; onFailure: (error: Error) => void };
}) {
  let db: DatabaseSync | undefined;
  let checkpoints: ReturnType<typeof startCheckpoints> | undefined;
  return {
    name: 'database',
    get db(): DatabaseSync {
      if (!db) throw new Error(`database ${deps.path} is not open`);
      return db;
    },
    start() {
      db = openSqlite(deps.path, deps.migrations);
      // What is deleted (pruned to its retention, dead letters past their cap) is overwritten on disk,
      // not left readable in free pages of the file.
      db.exec('PRAGMA secure_delete = ON');
      if (deps.checkpoints) checkpoints = startCheckpoints(db, { path: deps.path, ...deps.checkpoints });
    },
    async stop() {
      // Its connection closed first: the last one to close checkpoints what is left and removes the log.
      await checkpoints?.stop();
      db?.close();
    },
  };
}
