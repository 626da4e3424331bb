import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { pino } from 'pino';
import { type AuditLog, SqliteAuditLog } from '../cloud/access/audit.ts';
import type { CloudConfig } from '../cloud/config.ts';
import { openPlatformDb } from '../cloud/platform-db.ts';
import { openPostgresStores } from '../cloud/postgres-stores.ts';
import { openSqlite } from '../cloud/sqlite/sqlite.ts';
import { sqlitePlatformStores } from '../cloud/sqlite-stores.ts';
import type { PlatformStores } from '../cloud/stores.ts';

/** The stores a tool beside the cloud (`npm run provision`) changes, and how to let go of them. */
export interface ToolStores {
  platform: PlatformStores;
  /** A tenant's audit log. */
  tenantAudit(tenant: string): Promise<AuditLog>;
  close(): Promise<void>;
}

/**
 * Opens the platform's stores where the cloud keeps them: the PostgreSQL database of DATABASE_URL,
 * or DATA_DIR/platform.db (a single-city data folder upgraded first, as the cloud would at its start).
 */
export async function openToolStores(
  config: Pick<CloudConfig, 'DATA_DIR' | 'DATABASE_URL'>,
): Promise<ToolStores> {
  const log = pino({ level: 'warn' });
  if (config.DATABASE_URL) {
    const stores = await openPostgresStores(config.DATABASE_URL, { log, max: 2 });
    return {
      platform: stores.platform,
      tenantAudit: async (tenant) => (await stores.tenant(tenant)).audit,
      close: () => stores.close(),
    };
  }
  const db = openPlatformDb(config.DATA_DIR, log);
  const opened: DatabaseSync[] = [db];
  return {
    platform: sqlitePlatformStores(db),
    async tenantAudit(tenant) {
      const cell = openSqlite(join(config.DATA_DIR, 'tenants', tenant, 'cloud.db'));
      opened.push(cell);
      return new SqliteAuditLog(cell);
    },
    async close() {
      for (const each of opened) each.close();
    },
  };
}
