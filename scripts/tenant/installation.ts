import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { CloudConfig } from '../../cloud/config.ts';
import { platformDbPath } from '../../cloud/platform-db.ts';
import { platformDbMigrations } from '../../cloud/platform-migrations.ts';
import { redacted } from '../../cloud/postgres/database.ts';
import { tenantSchemaName } from '../../cloud/postgres/schema-name.ts';
import { openPostgresStores } from '../../cloud/postgres-stores.ts';
import { devicesSelect } from '../../cloud/registry/sqlite-store.ts';
import { cloudDbMigrations } from '../../cloud/schema-migrations.ts';
import { migrate } from '../../cloud/sqlite/migrations.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { sqlitePlatformStores } from '../../cloud/sqlite-stores.ts';
import type { PlatformStores } from '../../cloud/stores.ts';
import { postgresTenantTables } from './postgres-tables.ts';
import { createStoreTables } from './store-tables.ts';
import { sqliteTenantTables, type TenantTables } from './tenant-tables.ts';

/** Refused before anything is read or written, with the reason an operator can act on. */
export class InstallationRefused extends Error {}

/**
 * The stores of the installation a tenant is exported from or imported into: its platform stores
 * and each tenant's stores as tables. The embedded default's SQLite files under DATA_DIR, or with
 * DATABASE_URL the region's PostgreSQL database (cluster mode), as the cloud picks them.
 */
export interface TenantInstallation {
  platform: PlatformStores;
  /** A tenant's stores to export; refused when it has none. `dataDir` is its data folder. */
  readTables(tenant: string, dataDir: string): Promise<TenantTables>;
  /** Why the tenant's stores cannot be made for an import (they exist); undefined when they can. */
  existingStores(tenant: string): Promise<string | undefined>;
  /** Makes the tenant's stores, empty, with this release's tables, for an import. */
  writeTables(tenant: string, dataDir: string): Promise<TenantTables>;
  /** Deletes what `writeTables` made outside the tenant's data folder (its PostgreSQL schema). */
  dropStores(tenant: string): Promise<void>;
  close(): Promise<void>;
}

type Config = Pick<CloudConfig, 'DATA_DIR' | 'DATABASE_URL'>;

/** Opens a database of the installation read only (the cloud may be running and writing it). */
function openReadOnly(path: string, what: string): DatabaseSync {
  if (!existsSync(path)) throw new InstallationRefused(`${what} ${path} does not exist`);
  const db = new DatabaseSync(path, { readOnly: true });
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

/**
 * Opens the platform database for this process alone (SQLite's exclusive locking mode): refused
 * while the cloud runs, and the cloud cannot start while the import holds it.
 */
function lockPlatformDb(dataDir: string): DatabaseSync {
  const path = platformDbPath(dataDir);
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; BEGIN IMMEDIATE; COMMIT;');
  } catch (error) {
    db.close();
    if ((error as { errcode?: number }).errcode === 5)
      throw new InstallationRefused(`${path} is in use: stop the cloud, import, then start it again`);
    throw error;
  }
  migrate(db, platformDbMigrations, path);
  return db;
}

function sqliteInstallation(platform: DatabaseSync): TenantInstallation {
  return {
    platform: sqlitePlatformStores(platform),
    async readTables(tenant, dataDir) {
      const path = join(dataDir, 'cloud.db');
      const db = openReadOnly(path, `tenant ${tenant}'s database`);
      // What the devices' readings changed is in seen.db beside it (cloud/registry/seen-rows.ts).
      const seen = join(dataDir, 'seen.db');
      if (!existsSync(seen)) return sqliteTenantTables(db, path);
      db.prepare('ATTACH DATABASE ? AS seen').run(seen);
      return sqliteTenantTables(db, path, { devices: devicesSelect });
    },
    // Its database is in its data folder, which the import finds empty first.
    existingStores: async () => undefined,
    async writeTables(_tenant, dataDir) {
      const path = join(dataDir, 'cloud.db');
      const db = openSqlite(path, cloudDbMigrations);
      createStoreTables(db);
      return sqliteTenantTables(db, path);
    },
    dropStores: async () => undefined,
    close: async () => platform.close(),
  };
}

async function postgresInstallation(url: string, log: Logger): Promise<TenantInstallation> {
  const stores = await openPostgresStores(url, { log, max: 2 });
  const { pool } = stores.database;
  const hasSchema = async (tenant: string) =>
    ((await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [tenantSchemaName(tenant)]))
      .rowCount ?? 0) > 0;
  return {
    platform: stores.platform,
    async readTables(tenant) {
      if (!(await hasSchema(tenant)))
        throw new InstallationRefused(`tenant ${tenant} has no schema in PostgreSQL at ${redacted(url)}`);
      // Brought to this release's migrations, as a node of this release would.
      await stores.database.tenant(tenant);
      return postgresTenantTables(pool, tenantSchemaName(tenant));
    },
    async existingStores(tenant) {
      if (await hasSchema(tenant))
        return `its PostgreSQL schema ${tenantSchemaName(tenant)} exists (${redacted(url)})`;
      return undefined;
    },
    async writeTables(tenant) {
      await stores.database.tenant(tenant);
      return postgresTenantTables(pool, tenantSchemaName(tenant));
    },
    dropStores: async (tenant) => {
      await stores.dropTenant(tenant);
    },
    close: () => stores.close(),
  };
}

/** The installation to export from: its platform database read only (the cloud may run). */
export async function installationToExport(config: Config, log: Logger): Promise<TenantInstallation> {
  if (config.DATABASE_URL) return postgresInstallation(config.DATABASE_URL, log);
  return sqliteInstallation(openReadOnly(platformDbPath(config.DATA_DIR), 'the platform database'));
}

/**
 * The installation to import into. The embedded default's platform database is held for this
 * process alone (the cloud stopped); PostgreSQL cannot say whether nodes run, so the tenant's record
 * is written last and the nodes start its cell at their next start.
 */
export async function installationToImport(config: Config, log: Logger): Promise<TenantInstallation> {
  if (config.DATABASE_URL) return postgresInstallation(config.DATABASE_URL, log);
  return sqliteInstallation(lockPlatformDb(config.DATA_DIR));
}
