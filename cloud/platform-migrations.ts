import type { DatabaseSync } from 'node:sqlite';
import type { Migration } from './sqlite/migrations.ts';

function hasColumn(db: DatabaseSync, table: string, column: string): boolean | undefined {
  const columns = db.prepare(`PRAGMA table_info("${table}")`).all();
  if (columns.length === 0) return undefined;
  return columns.some((row) => row.name === column);
}

/**
 * The migrations of `platform.db` (accounts, tokens, sessions, tenants), in order; only ever appended
 * to. Its tables are created by their stores; a single-city installation's accounts arrive here
 * with the upgrade (cloud/tenants/legacy-layout.ts) and are given to the default tenant.
 */
export const platformDbMigrations: readonly Migration[] = [
  {
    name: "accounts and API tokens belong to a tenant (a single city's to the default tenant)",
    up: (db) => {
      for (const table of ['users', 'api_tokens'])
        if (hasColumn(db, table, 'tenant') === false)
          db.exec(`ALTER TABLE ${table} ADD COLUMN tenant TEXT DEFAULT 'default';
                   ALTER TABLE ${table} ADD COLUMN grants TEXT NOT NULL DEFAULT '[]';`);
    },
  },
];
