import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { tenantId } from '../shared/ids.ts';
import { GrafanaApi } from './grafana/api.ts';
import { readDashboards } from './grafana/desired.ts';
import { type GrafanaAuth, GrafanaError, GrafanaHttp } from './grafana/http.ts';
import { syncGrafana } from './grafana/sync.ts';
import { type SyncTenant, tenantsFromApi, tenantsFromFile } from './grafana/tenant-list.ts';

/**
 * `npm run grafana:sync [-- --tenants tenants.json] [--prune] [--rewrite-secrets]`: one Grafana
 * organisation per tenant, with its datasource and the dashboards (see provisioning/grafana/README.md).
 * Tenants come from --tenants (a JSON file) or from the platform's GET /api/v1/tenants
 * (CITY_API_URL, CITY_API_TOKEN of a region-admin). Exits 1 if any tenant could not be synced.
 */
const { values } = parseArgs({
  options: {
    tenants: { type: 'string' },
    prune: { type: 'boolean', default: false },
    'rewrite-secrets': { type: 'boolean', default: false },
  },
});

const env = z
  .object({
    GRAFANA_URL: z.url(),
    GRAFANA_USER: z.string().min(1).optional(),
    GRAFANA_PASSWORD: z.string().min(1).optional(),
    GRAFANA_TOKEN: z.string().min(1).optional(),
    INFLUX_URL: z.url().meta({ description: 'InfluxDB as Grafana reaches it' }),
    INFLUX_DATABASE: z.string().min(1).default('city'),
    INFLUX_TOKEN: z.string().default(''),
    INFLUX_READ_TOKENS_FILE: z.string().min(1).optional(),
    CITY_API_URL: z.url().optional(),
    CITY_API_TOKEN: z.string().min(1).optional(),
  })
  .safeParse(process.env);
const { GRAFANA_USER, GRAFANA_PASSWORD, GRAFANA_TOKEN, CITY_API_URL, CITY_API_TOKEN } = process.env;
const problems = [
  ...(env.success ? [] : [z.prettifyError(env.error)]),
  ...((GRAFANA_USER && GRAFANA_PASSWORD) || GRAFANA_TOKEN
    ? []
    : ['set GRAFANA_USER and GRAFANA_PASSWORD (a Grafana server admin) or GRAFANA_TOKEN']),
  ...(values.tenants !== undefined || (CITY_API_URL && CITY_API_TOKEN)
    ? []
    : ['name the tenants: --tenants <file>, or CITY_API_URL and CITY_API_TOKEN (a region-admin token)']),
];
if (!env.success || problems.length > 0) {
  console.error(`grafana:sync: ${problems.join('\n')}`);
  process.exit(2);
}
const config = env.data;

const auth: GrafanaAuth =
  config.GRAFANA_USER !== undefined && config.GRAFANA_PASSWORD !== undefined
    ? { kind: 'basic', user: config.GRAFANA_USER, password: config.GRAFANA_PASSWORD }
    : { kind: 'token', token: config.GRAFANA_TOKEN ?? '' };

async function tenantTokens(path: string | undefined): Promise<Record<string, string>> {
  if (path === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`INFLUX_READ_TOKENS_FILE ${path}: ${(error as Error).message}`);
  }
  const parsed = z.record(tenantId, z.string()).safeParse(json);
  if (!parsed.success) throw new Error(`INFLUX_READ_TOKENS_FILE ${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

async function sync(): Promise<number> {
  const tenants: SyncTenant[] =
    values.tenants !== undefined
      ? await tenantsFromFile(values.tenants)
      : await tenantsFromApi(config.CITY_API_URL ?? '', config.CITY_API_TOKEN ?? '');
  const report = await syncGrafana({
    api: new GrafanaApi(new GrafanaHttp(config.GRAFANA_URL, auth)),
    tenants,
    adminLogin: auth.kind === 'basic' ? auth.user : undefined,
    influx: {
      url: config.INFLUX_URL,
      database: config.INFLUX_DATABASE,
      token: config.INFLUX_TOKEN,
      tenantTokens: await tenantTokens(config.INFLUX_READ_TOKENS_FILE),
    },
    dashboards: await readDashboards(),
    prune: values.prune,
    rewriteSecrets: values['rewrite-secrets'],
  });

  for (const change of report.changes) console.log(change);
  for (const { org, database } of report.stale)
    console.log(
      `${org.name}: no tenant reads ${database} any more; --prune deletes the organisation (id ${org.id})`,
    );
  if (report.sharedToken.length > 0)
    console.warn(
      `grafana:sync: ${report.sharedToken.join(', ')} read InfluxDB with the shared INFLUX_TOKEN, so an Editor of ` +
        "their organisation could query another town's database: give each its own read token (INFLUX_READ_TOKENS_FILE)",
    );
  for (const failure of report.failures) console.error(`grafana:sync: ${failure}`);
  console.log(
    `grafana:sync: ${tenants.length} tenants, ${report.changes.length} changes, ${report.failures.length} failures`,
  );
  return report.failures.length > 0 ? 1 : 0;
}

try {
  process.exitCode = await sync();
} catch (error) {
  console.error(`grafana:sync: ${(error as Error).message}`);
  if (
    error instanceof GrafanaError &&
    auth.kind === 'token' &&
    (error.status === 401 || error.status === 403)
  )
    console.error(
      "grafana:sync: Grafana's organisation API (/api/orgs) takes a server admin's basic authentication " +
        '(GRAFANA_USER, GRAFANA_PASSWORD); a service-account token is confined to its own organisation',
    );
  process.exitCode = 1;
}
