import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Migration, migrate } from './migrations.ts';

/**
 * Opens the cloud's embedded database (node:sqlite, no native build) in WAL mode, brought to the
 * last version of its `migrations`.
 */
export function openSqlite(path: string, migrations: readonly Migration[] = []): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;',
  );
  if (migrations.length > 0) {
    try {
      migrate(db, migrations, path);
    } catch (error) {
      db.close();
      throw error;
    }
  }
  return db;
}

/** Runs `fn` in one transaction. */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    // SQLite may have rolled back already (an I/O error, a full disk): the original error is the one to report.
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
