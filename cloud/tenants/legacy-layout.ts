import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import { defaultTenantId } from '../../shared/ids.ts';

/** The tables of accounts, which stay with the installation; every other table is the city's. */
export const platformTables = ['users', 'login_states', 'sessions', 'api_tokens'] as const;

function tables(db: DatabaseSync): string[] {
  return db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all()
    .map((row) => String(row.name));
}

function dropTables(path: string, drop: (name: string) => boolean): void {
  const db = new DatabaseSync(path);
  try {
    for (const name of tables(db).filter(drop)) db.exec(`DROP TABLE "${name}"`);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

function moveDatabase(from: string, to: string): void {
  for (const suffix of ['', '-wal', '-shm'])
    if (existsSync(`${from}${suffix}`)) renameSync(`${from}${suffix}`, `${to}${suffix}`);
}

/**
 * Upgrades the data folder of a single-city installation (DATA_DIR/cloud.db with every store, and
 * DATA_DIR/journal.db) into the layout of tenants: the accounts (users, sessions, tokens) go to
 * DATA_DIR/platform.db, the city's stores and journal become the default tenant's
 * (DATA_DIR/tenants/default/). Nothing is lost: the platform database is a copy made first and put
 * in place by a rename; then the city's files move. Each step can be run again after a crash
 * between them. Returns whether there was anything to upgrade (the default tenant must then exist).
 */
export function upgradeSingleCityLayout(dataDir: string, log: Logger): boolean {
  const legacy = join(dataDir, 'cloud.db');
  const platform = join(dataDir, 'platform.db');
  const tenantDir = join(dataDir, 'tenants', defaultTenantId);
  const cityDb = join(tenantDir, 'cloud.db');
  const moving = `${cityDb}.upgrade`;
  if (!existsSync(legacy) && !existsSync(moving)) return false;
  log.warn({ dataDir }, 'upgrading a single-city data folder: its city becomes the default tenant');
  if (!existsSync(platform)) {
    const copy = `${platform}.upgrade`;
    rmSync(copy, { force: true });
    const db = new DatabaseSync(legacy);
    try {
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      db.prepare('VACUUM INTO ?').run(copy);
    } finally {
      db.close();
    }
    dropTables(copy, (name) => !(platformTables as readonly string[]).includes(name));
    // Its schema versions are those of the platform database's own migrations, from the first.
    const copied = new DatabaseSync(copy);
    copied.exec('PRAGMA user_version = 0');
    copied.close();
    renameSync(copy, platform);
  }
  mkdirSync(tenantDir, { recursive: true });
  if (existsSync(legacy) && !existsSync(cityDb)) {
    moveDatabase(join(dataDir, 'journal.db'), join(tenantDir, 'journal.db'));
    moveDatabase(legacy, moving);
  } else if (existsSync(legacy)) {
    // The default tenant has its database already: the old file is kept aside, never read again.
    moveDatabase(legacy, `${legacy}.replaced`);
  }
  if (existsSync(moving)) {
    dropTables(moving, (name) => (platformTables as readonly string[]).includes(name));
    moveDatabase(moving, cityDb);
  }
  return true;
}
