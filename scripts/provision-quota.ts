import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { CredentialsFile } from '../cloud/broker/credentials.ts';
import { platformDbPath } from '../cloud/platform-db.ts';
import { tenant as tenantRecord } from '../cloud/tenants/schema.ts';

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

/**
 * A tenant's gateway quota as the platform database holds it, read without writing (the cloud may be
 * running). Undefined when there is no platform database or no such tenant yet (a single-city
 * installation before its first start): the broker still refuses a gateway past the quota when it
 * connects.
 */
export function gatewayQuotaOf(dataDir: string, tenant: string): number | undefined {
  const path = platformDbPath(dataDir);
  if (!existsSync(path)) return undefined;
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tenants'")
      .get();
    if (!hasTable) return undefined;
    const row = db.prepare('SELECT record FROM tenants WHERE id = ?').get(tenant);
    return row ? tenantRecord.parse(JSON.parse(String(row.record))).quotas.gateways : undefined;
  } finally {
    db.close();
  }
}
