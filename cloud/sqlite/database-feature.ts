import type { DatabaseSync } from 'node:sqlite';
import type { Migration } from './migrations.ts';
import { openSqlite } from './sqlite.ts';

/** The embedded database file: opened at start, closed at stop. */
export function sqliteDatabaseFeature(deps: { path: string; migrations: readonly Migration[] }) {
  let db: DatabaseSync | undefined;
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
    },
    stop() {
      db?.close();
    },
  };
}
