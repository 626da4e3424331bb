import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { CredentialsFile } from '../cloud/broker/credentials.ts';
import type { CloudConfig } from '../cloud/config.ts';
import { platformDbPath } from '../cloud/platform-db.ts';
import { openPostgresStores } from '../cloud/postgres-stores.ts';
import { SqliteTenantStore } from '../cloud/tenants/sqlite-store.ts';
import type { TenantStore } from '../cloud/tenants/store.ts';

/**
 * Why a gateway credential more for `tenant` would go past its gateway quota: the live (not revoked)
 * credentials of its gateways in `file` against the quota in its record. Undefined when it fits.
 */
export function credentialsOverQuota(
  file: CredentialsFile,
  tenant: string,
  quota: number,
): string | undefined {
  const live = Object.values(file.gateways).filter((entry) => entry.tenant === tenant && !entry.revoked);
  if (live.length < quota) return undefined;
  return `tenant ${tenant} has ${live.length} live gateway credentials and its quota is ${quota} gateways: raise it (PATCH /api/v1/tenants/${tenant}) or revoke one`;
}

/** A tenant's gateway quota in the platform's tenant store, undefined without such a tenant. */
async function quotaIn(tenants: TenantStore, tenant: string): Promise<number | undefined> {
  return (await tenants.get(tenant))?.quotas.gateways;
}

/**
 * A tenant's gateway quota where the cloud keeps its record: with DATABASE_URL the `platform` schema
 * of that PostgreSQL database, else DATA_DIR/platform.db read without writing (the cloud may be
 * running). Undefined when there is no such tenant yet, or no platform database (a single-city
 * installation before its first start): the broker still refuses a gateway past the quota when it
 * connects.
 */
export async function gatewayQuotaOf(
  config: Pick<CloudConfig, 'DATA_DIR' | 'DATABASE_URL'>,
  tenant: string,
): Promise<number | undefined> {
  if (config.DATABASE_URL) {
    const stores = await openPostgresStores(config.DATABASE_URL, { max: 1 });
    try {
      return await quotaIn(stores.platform.tenants, tenant);
    } finally {
      await stores.close();
    }
  }
  const path = platformDbPath(config.DATA_DIR);
  if (!existsSync(path)) return undefined;
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tenants'")
      .get();
    return hasTable ? await quotaIn(new SqliteTenantStore(db), tenant) : undefined;
  } finally {
    db.close();
  }
}
