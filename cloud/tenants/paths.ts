import { join } from 'node:path';
import { defaultTenantId } from '../../shared/ids.ts';

/** Where a tenant's provisioning files are read from and its runtime data is kept. */
export interface TenantPaths {
  /** Its fleet files. */
  fleetDir: string;
  /** Its rule files (rules saved over the API are in its database). */
  rulesDir: string;
  /** Its notification channels, if it has any. */
  notificationsFile?: string;
  /** Its embedded database and ingest journal: removed with the tenant. */
  dataDir: string;
}

export interface PathSettings {
  DATA_DIR: string;
  TENANTS_DIR: string;
  FLEET_DIR: string;
  RULES_DIR: string;
  NOTIFICATIONS_FILE?: string;
}

/**
 * A tenant's folders. The default tenant (a single-city installation, upgraded) keeps reading
 * FLEET_DIR, RULES_DIR and NOTIFICATIONS_FILE; every other tenant has a folder of its own in
 * TENANTS_DIR (`fleet/`, `rules/`, `notifications.json`). Runtime data: DATA_DIR/tenants/<id>.
 */
export function tenantPaths(settings: PathSettings, tenant: string): TenantPaths {
  const dataDir = join(settings.DATA_DIR, 'tenants', tenant);
  if (tenant === defaultTenantId)
    return {
      fleetDir: settings.FLEET_DIR,
      rulesDir: settings.RULES_DIR,
      notificationsFile: settings.NOTIFICATIONS_FILE,
      dataDir,
    };
  const folder = join(settings.TENANTS_DIR, tenant);
  return {
    fleetDir: join(folder, 'fleet'),
    rulesDir: join(folder, 'rules'),
    notificationsFile: join(folder, 'notifications.json'),
    dataDir,
  };
}
