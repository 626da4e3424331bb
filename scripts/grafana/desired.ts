import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Datasource, DatasourceSpec, StoredDashboard } from './api.ts';

/** The uid the dashboards name their datasource by, in every organisation (uids are per organisation). */
export const DATASOURCE_UID = 'city-influx';
/** The folder of the dashboards, as provisioning/grafana/dashboards/dashboards.yaml names it for org 1. */
export const DASHBOARD_FOLDER = { uid: 'city', title: 'City' } as const;

/** Where Grafana reaches InfluxDB, and the token it reads with ("" for InfluxDB 1.x without authentication). */
export interface InfluxForGrafana {
  url: string;
  token: string;
}

/**
 * A tenant's datasource: provisioning/grafana/datasources/influxdb.yaml (org 1's, for the default
 * tenant) with the tenant's database. InfluxQL over /query, which InfluxDB 1.x and 2.x (by DBRP) serve.
 */
export function tenantDatasource(influx: InfluxForGrafana, database: string): DatasourceSpec {
  return {
    uid: DATASOURCE_UID,
    name: 'City InfluxDB',
    type: 'influxdb',
    access: 'proxy',
    url: influx.url,
    isDefault: true,
    jsonData: {
      version: 'InfluxQL',
      dbName: database,
      httpMode: 'POST',
      timeInterval: '10s',
      httpHeaderName1: 'Authorization',
    },
    secureJsonData: { httpHeaderValue1: `Token ${influx.token}` },
  };
}

/**
 * Whether Grafana already holds `spec`, as far as it shows: every field and jsonData entry, and each
 * secret set (Grafana never returns a secret's value, so a changed token is not seen here).
 */
export function datasourceIsCurrent(stored: Datasource, spec: DatasourceSpec): boolean {
  const fields = ['name', 'type', 'access', 'url', 'isDefault'] as const;
  return (
    fields.every((field) => stored[field] === spec[field]) &&
    Object.entries(spec.jsonData).every(([key, value]) => isDeepStrictEqual(stored.jsonData[key], value)) &&
    Object.keys(spec.secureJsonData).every((key) => stored.secureJsonFields[key] === true)
  );
}

export type Dashboard = Record<string, unknown> & { uid: string; title: string };
const dashboardFile = z.looseObject({ uid: z.string().min(1), title: z.string().min(1) });

const provisioningDir = fileURLToPath(new URL('../../provisioning/', import.meta.url));

async function readDashboard(path: string): Promise<Dashboard> {
  // Stryker disable next-line StringLiteral: JSON.parse reads the Buffer of readFile(path, '') as UTF-8 text too
  const parsed = dashboardFile.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new Error(`dashboard ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * The dashboards org 1 gets from its file providers: the city-wide ones of
 * provisioning/grafana/dashboards/json/ and each kind's provisioning/kinds/<kind>/dashboard.json.
 */
export async function readDashboards(root = provisioningDir): Promise<Dashboard[]> {
  const cityDir = join(root, 'grafana/dashboards/json');
  const kindsDir = join(root, 'kinds');
  const cityWide = (await readdir(cityDir)).filter((f) => f.endsWith('.json')).map((f) => join(cityDir, f));
  const kinds: string[] = [];
  for (const kind of await readdir(kindsDir, { withFileTypes: true }))
    if (kind.isDirectory() && (await readdir(join(kindsDir, kind.name))).includes('dashboard.json'))
      kinds.push(join(kindsDir, kind.name, 'dashboard.json'));
  const dashboards = await Promise.all([...cityWide, ...kinds].map(readDashboard));
  return dashboards.sort((a, b) => a.uid.localeCompare(b.uid));
}

/**
 * The dashboard as a tenant's organisation gets it: in the town's time zone (so "today" is the
 * town's day), without the id and version Grafana assigns.
 */
export function tenantDashboard(dashboard: Dashboard, timezone: string | undefined): Dashboard {
  const { id: _id, version: _version, ...rest } = dashboard;
  return timezone === undefined ? rest : { ...rest, timezone };
}

/** Whether Grafana holds `wanted` in the folder, apart from the id and version it assigns. */
export function dashboardIsCurrent(stored: StoredDashboard, wanted: Dashboard, folderUid: string): boolean {
  const { id: _id, version: _version, ...held } = stored.dashboard;
  return stored.meta.folderUid === folderUid && isDeepStrictEqual(held, wanted);
}
