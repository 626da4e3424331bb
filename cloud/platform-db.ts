import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import { platformDbMigrations } from './platform-migrations.ts';
import { openSqlite } from './sqlite/sqlite.ts';
import { upgradeSingleCityLayout } from './tenants/legacy-layout.ts';

/** Where the installation's accounts, tokens, sessions and tenants are kept. */
export function platformDbPath(dataDir: string): string {
  return join(dataDir, 'platform.db');
}

/**
 * Opens the platform database for a tool that runs beside (or before) the cloud, such as
 * `npm run provision`: a single-city data folder is upgraded first, as the cloud would at its start.
 */
export function openPlatformDb(dataDir: string, log: Logger): DatabaseSync {
  upgradeSingleCityLayout(dataDir, log);
  return openSqlite(platformDbPath(dataDir), platformDbMigrations);
}
