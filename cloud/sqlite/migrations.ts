import type { DatabaseSync } from 'node:sqlite';

/**
 * One step of a database's schema: migration i (from 0) takes the database from schema version i to
 * i + 1 (`PRAGMA user_version`). A database's migrations are one ordered list, only ever appended to.
 * Tables a release adds are created by their stores (`CREATE TABLE IF NOT EXISTS`); a change to what
 * an earlier release made (a column, a table's shape, data carried over) is a migration. Every
 * migration must also hold for a database made before versions were kept (version 0, any earlier
 * release's tables).
 */
export interface Migration {
  name: string;
  up(db: DatabaseSync): void;
}

export class SchemaTooNewError extends Error {
  constructor(what: string, found: number, known: number) {
    super(
      `${what} has schema version ${found}, this release knows ${known}: it was written by a newer release; run that release, or restore a backup made by this one`,
    );
  }
}

export function schemaVersion(db: DatabaseSync): number {
  return (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
}

/**
 * Brings `db` to the last version of `migrations`: the pending ones run in one transaction with the
 * new version, so a failure leaves the database as it was. Refuses a database from a newer release.
 */
export function migrate(
  db: DatabaseSync,
  migrations: readonly Migration[],
  what: string,
): { from: number; to: number } {
  db.exec('BEGIN IMMEDIATE');
  try {
    const from = schemaVersion(db);
    if (from > migrations.length) throw new SchemaTooNewError(what, from, migrations.length);
    for (const [index, migration] of migrations.entries()) {
      if (index < from) continue;
      try {
        migration.up(db);
      } catch (error) {
        throw new Error(
          `${what}: migration ${index + 1} (${migration.name}) failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    }
    // PRAGMA takes no parameters; the length is a number of this code's own.
    if (from < migrations.length) db.exec(`PRAGMA user_version = ${migrations.length}`);
    db.exec('COMMIT');
    return { from, to: Math.max(from, migrations.length) };
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
