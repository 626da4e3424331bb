import { DatabaseSync } from 'node:sqlite';

/**
 * A consistent copy of a live SQLite database: `VACUUM INTO` reads it in one read transaction (in
 * WAL mode that blocks no writer), so the copy is the database as of one commit, including what is
 * still in its WAL. Returns its schema version.
 */
export function snapshotSqlite(source: string, target: string): { userVersion: number } {
  const db = new DatabaseSync(source, { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    db.prepare('VACUUM INTO ?').run(target);
    const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
    return { userVersion: row.user_version };
  } finally {
    db.close();
  }
}

export function sqliteVersion(): string {
  const db = new DatabaseSync(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}
