import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import {
  type Migration,
  migrate,
  SchemaTooNewError,
  schemaVersion,
} from '../../../../cloud/sqlite/migrations.ts';

const step = (name: string, sql: string): Migration => ({ name, up: (db) => db.exec(sql) });
const list = [
  step('a table', 'CREATE TABLE t (a TEXT)'),
  step('a column', 'ALTER TABLE t ADD COLUMN b TEXT'),
  step('data', "INSERT INTO t (a, b) VALUES ('x', 'y')"),
];
const rows = (db: DatabaseSync) =>
  db
    .prepare('SELECT a, b FROM t')
    .all()
    .map((r) => ({ ...r }));

describe('migrate', () => {
  it.each([
    [0, 3, [{ a: 'x', b: 'y' }]],
    [3, 3, [{ a: 'x', b: 'y' }]],
  ])('from version %i applies what is pending once, to version %i', (start, to, expected) => {
    const db = new DatabaseSync(':memory:');
    if (start > 0) {
      migrate(db, list, 'test');
    }
    expect(migrate(db, list, 'test')).toEqual({ from: start, to });
    expect(schemaVersion(db)).toBe(to);
    expect(rows(db)).toEqual(expected);
  });

  it('runs only the migrations after the database version, in order', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, list.slice(0, 1), 'test');
    expect(migrate(db, list, 'test')).toEqual({ from: 1, to: 3 });
    expect(rows(db)).toEqual([{ a: 'x', b: 'y' }]);
  });

  it('leaves the database as it was when a migration fails, naming it', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, list.slice(0, 1), 'test.db');
    const broken = [...list.slice(0, 2), step('bad', 'INSERT INTO missing VALUES (1)')];
    expect(() => migrate(db, broken, 'test.db')).toThrow(/test\.db: migration 3 \(bad\) failed: .*missing/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT COUNT(*) AS n FROM pragma_table_info('t')").get()).toEqual({ n: 1 });
  });

  it('refuses a database of a newer release', () => {
    const db = new DatabaseSync(':memory:');
    db.exec('PRAGMA user_version = 4');
    expect(() => migrate(db, list, 'cloud.db')).toThrow(SchemaTooNewError);
    expect(() => migrate(db, list, 'cloud.db')).toThrow(
      /cloud\.db has schema version 4, this release knows 3/,
    );
  });
});
