import { tenantDatabase } from '../../cloud/tenants/database-name.ts';
import { defaultTenantId } from '../../shared/ids.ts';
import type { GrafanaApi, Org } from './api.ts';
import {
  DASHBOARD_FOLDER,
  DATASOURCE_UID,
  type Dashboard,
  dashboardIsCurrent,
  datasourceIsCurrent,
  tenantDashboard,
  tenantDatasource,
} from './desired.ts';
import type { SyncTenant } from './tenant-list.ts';

/** Grafana's first organisation: the default tenant's, provisioned from files (provisioning/grafana). */
const MAIN_ORG = 1;

export interface SyncOptions {
  api: GrafanaApi;
  tenants: SyncTenant[];
  /** The signed-in server admin (GRAFANA_USER), kept an Admin of every tenant's organisation; none with a token. */
  adminLogin: string | undefined;
  influx: {
    /** As Grafana reaches InfluxDB. */
    url: string;
    /** INFLUX_DATABASE: the default tenant's database and the prefix of the others'. */
    database: string;
    /** The read token of every tenant without one of its own ("" for InfluxDB 1.x without authentication). */
    token: string;
    /** Per tenant id: a token that reads that tenant's database only. */
    tenantTokens: Readonly<Record<string, string>>;
  };
  dashboards: readonly Dashboard[];
  /** Delete the organisations of tenants that no longer exist (otherwise they are only reported). */
  prune: boolean;
  /** Write every datasource's secret again (Grafana never shows it, so a changed token is not seen). */
  rewriteSecrets: boolean;
}

export interface SyncReport {
  /** What was written, one line each: `Cheb: datasource created`. */
  changes: string[];
  /** Organisations of tenants that no longer exist, left in place without --prune. */
  stale: { org: Org; database: string }[];
  /** Tenants whose datasource reads with the shared token. */
  sharedToken: string[];
  /** One line per tenant that could not be synced; the others were. */
  failures: string[];
}

interface Managed {
  org: Org;
  database: string;
}

/**
 * The organisations this sync made: every one but the first holding our datasource, with the tenant
 * database it reads. An organisation the admin is not a member of is not ours.
 */
async function managedOrgs(api: GrafanaApi, orgs: Org[]): Promise<Managed[]> {
  const managed: Managed[] = [];
  for (const org of orgs) {
    if (org.id === MAIN_ORG) continue;
    const database = (await api.datasource(org.id, DATASOURCE_UID))?.jsonData.dbName;
    if (typeof database === 'string') managed.push({ org, database });
  }
  return managed;
}

/** The tenant's organisation, found by its database (it may have been renamed) or by name, or made. */
async function tenantOrg(
  api: GrafanaApi,
  tenant: SyncTenant,
  database: string,
  known: { orgs: Org[]; managed: Managed[] },
  changes: string[],
): Promise<Org> {
  const byDatabase = known.managed.find((m) => m.database === database)?.org;
  const org = byDatabase ?? known.orgs.find((o) => o.name === tenant.name);
  if (org === undefined) {
    const created = { id: await api.createOrg(tenant.name), name: tenant.name };
    changes.push(`${tenant.name}: organisation created (id ${created.id})`);
    return created;
  }
  if (org.id === MAIN_ORG)
    throw new Error(`organisation ${MAIN_ORG} ("${org.name}") is the default tenant's: rename the tenant`);
  const other = known.managed.find((m) => m.org.id === org.id && m.database !== database);
  if (other !== undefined)
    throw new Error(`organisation "${org.name}" shows the database ${other.database}, not ${database}`);
  if (org.name !== tenant.name) {
    await api.renameOrg(org.id, tenant.name);
    changes.push(`${tenant.name}: organisation renamed from "${org.name}"`);
  }
  return { id: org.id, name: tenant.name };
}

async function syncTenant(
  options: SyncOptions,
  tenant: SyncTenant,
  known: { orgs: Org[]; managed: Managed[] },
  changes: string[],
): Promise<void> {
  const { api, influx } = options;
  const database = tenantDatabase(influx.database, tenant.id);
  const org = await tenantOrg(api, tenant, database, known, changes);
  const done = (what: string) => changes.push(`${tenant.name}: ${what}`);

  if (options.adminLogin !== undefined) {
    const login = options.adminLogin;
    const members = await api.orgMembers(org.id);
    if (!members.some((m) => m.login === login || m.email === login)) {
      await api.addOrgAdmin(org.id, login);
      done(`${login} made an Admin of the organisation`);
    }
  }

  const spec = tenantDatasource(
    { url: influx.url, token: influx.tenantTokens[tenant.id] ?? influx.token },
    database,
  );
  const stored = await api.datasource(org.id, spec.uid);
  if (stored === undefined) {
    await api.createDatasource(org.id, spec);
    done(`datasource created (database ${database})`);
  } else if (options.rewriteSecrets || !datasourceIsCurrent(stored, spec)) {
    await api.updateDatasource(org.id, spec);
    done(`datasource updated (database ${database})`);
  }

  if (!(await api.folderExists(org.id, DASHBOARD_FOLDER.uid))) {
    await api.createFolder(org.id, DASHBOARD_FOLDER);
    done(`folder ${DASHBOARD_FOLDER.title} created`);
  }
  for (const dashboard of options.dashboards) {
    const wanted = tenantDashboard(dashboard, tenant.timezone);
    const held = await api.dashboard(org.id, dashboard.uid);
    if (held === undefined || !dashboardIsCurrent(held, wanted, DASHBOARD_FOLDER.uid)) {
      await api.saveDashboard(org.id, wanted, DASHBOARD_FOLDER.uid);
      done(`dashboard ${dashboard.uid} ${held === undefined ? 'imported' : 'updated'}`);
    }
  }
}

/**
 * Makes Grafana hold, for every tenant but the default one (organisation 1, provisioned from files),
 * an organisation named after it with its datasource (the tenant's own InfluxDB database) and the
 * dashboards; with `prune`, deletes the organisations of tenants that are gone. Writes only what
 * differs, so a second run changes nothing. A tenant that fails is reported; the others go on.
 */
export async function syncGrafana(options: SyncOptions): Promise<SyncReport> {
  const tenants = options.tenants.filter((t) => t.id !== defaultTenantId);
  if (options.prune && tenants.length === 0)
    throw new Error('refusing to prune with no tenants: every tenant organisation would be deleted');
  const orgs = await options.api.listOrgs();
  const known = { orgs, managed: await managedOrgs(options.api, orgs) };
  const report: SyncReport = { changes: [], stale: [], sharedToken: [], failures: [] };

  for (const tenant of tenants) {
    if (options.influx.tenantTokens[tenant.id] === undefined) report.sharedToken.push(tenant.id);
    try {
      await syncTenant(options, tenant, known, report.changes);
    } catch (error) {
      report.failures.push(`${tenant.id} (${tenant.name}): ${(error as Error).message}`);
    }
  }

  const wanted = new Set(tenants.map((t) => tenantDatabase(options.influx.database, t.id)));
  for (const gone of known.managed.filter((m) => !wanted.has(m.database))) {
    if (!options.prune) {
      report.stale.push(gone);
      continue;
    }
    await options.api.deleteOrg(gone.org.id);
    report.changes.push(
      `${gone.org.name}: organisation deleted (its tenant, database ${gone.database}, is gone)`,
    );
  }
  return report;
}
