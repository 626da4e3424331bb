import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GrafanaApi } from '../../scripts/grafana/api.ts';
import { type Dashboard, readDashboards } from '../../scripts/grafana/desired.ts';
import { GrafanaHttp } from '../../scripts/grafana/http.ts';
import { type SyncOptions, syncGrafana } from '../../scripts/grafana/sync.ts';
import type { SyncTenant } from '../../scripts/grafana/tenant-list.ts';
import { FakeGrafana } from '../helpers/fake-grafana.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const runFile = promisify(execFile);

const region: SyncTenant[] = [
  { id: 'default', name: 'Gent', timezone: 'Europe/Brussels' },
  { id: 'karlovy-vary', name: 'Karlovy Vary', timezone: 'Europe/Prague' },
  { id: 'bochov', name: 'Bochov', timezone: 'Europe/Prague' },
];

let dashboards: Dashboard[];
let grafana: FakeGrafana;

beforeAll(async () => {
  dashboards = await readDashboards();
});

beforeEach(async () => {
  grafana = await new FakeGrafana({
    login: 'admin',
    password: 'admin-secret',
    serviceToken: 'glsa_org1',
  }).start();
});

afterEach(async () => {
  await grafana.stop();
});

function sync(overrides: Partial<SyncOptions> = {}) {
  return syncGrafana({
    api: new GrafanaApi(
      new GrafanaHttp(grafana.url, { kind: 'basic', user: 'admin', password: 'admin-secret' }),
    ),
    tenants: region,
    adminLogin: 'admin',
    influx: { url: 'http://influxdb:8086', database: 'city', token: 'shared-read', tenantTokens: {} },
    dashboards,
    prune: false,
    rewriteSecrets: false,
    ...overrides,
  });
}

/** The requests made by `run`, and what it reported. */
async function recorded<T>(run: () => Promise<T>) {
  const from = grafana.requests.length;
  const report = await run();
  const requests = grafana.requests.slice(from);
  return { report, requests, writes: requests.filter((r) => r.method !== 'GET') };
}

const org = (name: string) => {
  const found = grafana.orgNamed(name);
  if (found === undefined) throw new Error(`no organisation ${name}`);
  return found;
};

describe('grafana:sync', () => {
  it('gives every tenant but the default one an organisation, its datasource, the folder and the dashboards', async () => {
    const { report, writes } = await recorded(() => sync());
    expect(report.failures).toEqual([]);
    expect([...grafana.orgs.values()].map((o) => o.name).sort()).toEqual([
      'Bochov',
      'Karlovy Vary',
      'Main Org.',
    ]);

    const kv = org('Karlovy Vary');
    const datasource = kv.datasources.get('city-influx');
    expect(datasource?.view).toMatchObject({
      name: 'City InfluxDB',
      type: 'influxdb',
      access: 'proxy',
      url: 'http://influxdb:8086',
      isDefault: true,
      jsonData: { version: 'InfluxQL', dbName: 'city_karlovy_vary', httpMode: 'POST', timeInterval: '10s' },
    });
    expect(datasource?.secrets).toEqual({ httpHeaderValue1: 'Token shared-read' });
    expect(org('Bochov').datasources.get('city-influx')?.view.jsonData).toMatchObject({
      dbName: 'city_bochov',
    });

    expect([...kv.folders.values()]).toEqual([expect.objectContaining({ uid: 'city', title: 'City' })]);
    expect([...kv.dashboards.keys()].sort()).toEqual(dashboards.map((d) => d.uid).sort());
    for (const file of dashboards) {
      const held = kv.dashboards.get(file.uid);
      const { id: _id, version: _version, ...content } = held?.dashboard ?? {};
      const { id: _fileId, version: _fileVersion, ...fromFile } = file;
      expect(content).toEqual({ ...fromFile, timezone: 'Europe/Prague' });
      expect(held?.folderUid).toBe('city');
    }

    // Organisation 1 is the default tenant's, provisioned from files: nothing is written there.
    expect(writes.filter((w) => w.org === '1' || w.path === '/api/orgs/1')).toEqual([]);
    expect(report.changes).toContain('Karlovy Vary: organisation created (id 2)');
    expect(report.changes).toContain('Bochov: datasource created (database city_bochov)');
    expect(report.changes).toContain('Bochov: dashboard city-overview imported');
    expect(report.sharedToken).toEqual(['karlovy-vary', 'bochov']);
  });

  it('changes nothing when run again', async () => {
    await sync();
    const { report, writes } = await recorded(() => sync());
    expect(writes).toEqual([]);
    expect(report).toEqual({ changes: [], stale: [], sharedToken: ['karlovy-vary', 'bochov'], failures: [] });
  });

  it('signs every request in as the admin and names the organisation of each by X-Grafana-Org-Id', async () => {
    const { requests } = await recorded(() => sync());
    const basic = `Basic ${Buffer.from('admin:admin-secret').toString('base64')}`;
    expect(requests.every((r) => r.authorization === basic)).toBe(true);
    const orgScoped = requests.filter((r) => !r.path.startsWith('/api/orgs'));
    expect(orgScoped.length).toBeGreaterThan(0);
    for (const r of orgScoped) expect(r.org, `${r.method} ${r.path}`).toMatch(/^\d+$/);
    const kvId = String(org('Karlovy Vary').id);
    const kvWrites = requests.filter((r) => r.org === kvId && r.method !== 'GET');
    expect(kvWrites.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/datasources',
      'POST /api/folders',
      ...dashboards.map(() => 'POST /api/dashboards/db'),
    ]);
    expect(kvWrites.at(-1)?.body).toMatchObject({
      folderUid: 'city',
      overwrite: true,
      dashboard: { id: null },
    });
  });

  it('writes back only what drifted: an edited datasource, an edited dashboard, a deleted one', async () => {
    await sync();
    const kv = org('Karlovy Vary');
    const datasource = kv.datasources.get('city-influx');
    if (datasource) datasource.view.url = 'http://elsewhere:8086';
    const overview = kv.dashboards.get('city-overview');
    if (overview) overview.dashboard.title = 'Edited in the UI';
    kv.dashboards.delete('city-waste');

    const { report, writes } = await recorded(() => sync());
    expect(writes.map((w) => `${w.method} ${w.path} ${w.org}`)).toEqual([
      `PUT /api/datasources/uid/city-influx ${kv.id}`,
      `POST /api/dashboards/db ${kv.id}`,
      `POST /api/dashboards/db ${kv.id}`,
    ]);
    expect(report.changes).toEqual([
      'Karlovy Vary: datasource updated (database city_karlovy_vary)',
      'Karlovy Vary: dashboard city-overview updated',
      'Karlovy Vary: dashboard city-waste imported',
    ]);
    expect(kv.datasources.get('city-influx')?.view.url).toBe('http://influxdb:8086');
    expect(kv.dashboards.get('city-overview')?.dashboard.title).toBe('City overview');
  });

  it('reads with a tenant’s own token when it has one, and rewrites secrets only when asked', async () => {
    await sync();
    const tenantTokens = { bochov: 'bochov-read' };
    const quiet = await recorded(() =>
      sync({ influx: { url: 'http://influxdb:8086', database: 'city', token: 'shared-read', tenantTokens } }),
    );
    // Grafana never shows a secret: a new token goes unseen until the secrets are rewritten.
    expect(quiet.writes).toEqual([]);
    expect(quiet.report.sharedToken).toEqual(['karlovy-vary']);

    const { writes } = await recorded(() =>
      sync({
        influx: { url: 'http://influxdb:8086', database: 'city', token: 'shared-read', tenantTokens },
        rewriteSecrets: true,
      }),
    );
    expect(writes.map((w) => w.path)).toEqual([
      '/api/datasources/uid/city-influx',
      '/api/datasources/uid/city-influx',
    ]);
    expect(org('Bochov').datasources.get('city-influx')?.secrets).toEqual({
      httpHeaderValue1: 'Token bochov-read',
    });
    expect(org('Karlovy Vary').datasources.get('city-influx')?.secrets).toEqual({
      httpHeaderValue1: 'Token shared-read',
    });
  });

  it('renames the organisation of a renamed tenant, found by its database', async () => {
    await sync();
    const id = org('Bochov').id;
    const renamed = region.map((t) => (t.id === 'bochov' ? { ...t, name: 'Město Bochov' } : t));
    const { report, writes } = await recorded(() => sync({ tenants: renamed }));
    expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual([`PUT /api/orgs/${id}`]);
    expect(report.changes).toEqual(['Město Bochov: organisation renamed from "Bochov"']);
    expect(grafana.orgs.get(id)?.name).toBe('Město Bochov');
    expect((await recorded(() => sync({ tenants: renamed }))).writes).toEqual([]);
  });

  it('adopts an existing organisation named after a tenant, making the admin an Admin of it', async () => {
    const existing = grafana.addOrg('Bochov', { adminMember: false });
    const { report } = await recorded(() => sync());
    expect(report.failures).toEqual([]);
    expect(existing.members.get('admin')).toBe('Admin');
    expect(existing.datasources.get('city-influx')?.view.jsonData).toMatchObject({ dbName: 'city_bochov' });
    expect(report.changes).toContain('Bochov: admin made an Admin of the organisation');
    expect([...grafana.orgs.values()].filter((o) => o.name === 'Bochov')).toHaveLength(1);
  });

  it('never gives a tenant an organisation that shows another tenant’s database, and syncs the others', async () => {
    await sync();
    // Karlovy Vary is renamed to the name Bochov's organisation has; Cheb is new.
    const renamed = [
      { id: 'karlovy-vary', name: 'Bochov' },
      { id: 'cheb', name: 'Cheb' },
    ];
    const { report } = await recorded(() => sync({ tenants: renamed }));
    expect(report.failures).toEqual([
      'karlovy-vary (Bochov): Grafana answered PUT /api/orgs/2 with 409: Organization name taken',
    ]);
    expect(org('Cheb').datasources.get('city-influx')?.view.jsonData).toMatchObject({ dbName: 'city_cheb' });

    const stolen = await recorded(() => sync({ tenants: [{ id: 'lhota', name: 'Bochov' }] }));
    expect(stolen.report.failures).toEqual([
      'lhota (Bochov): organisation "Bochov" shows the database city_bochov, not city_lhota',
    ]);
    expect(org('Bochov').datasources.get('city-influx')?.view.jsonData).toMatchObject({
      dbName: 'city_bochov',
    });
  });

  it('reports the organisations of removed tenants, and deletes them only with --prune', async () => {
    await sync();
    const unrelated = grafana.addOrg('Hasiči (HZS)', { adminMember: true });
    const private_ = grafana.addOrg('Someone else', { adminMember: false });
    const remaining = region.filter((t) => t.id !== 'bochov');
    const bochov = org('Bochov');

    const kept = await recorded(() => sync({ tenants: remaining }));
    expect(kept.writes).toEqual([]);
    expect(kept.report.stale).toEqual([{ org: { id: bochov.id, name: 'Bochov' }, database: 'city_bochov' }]);

    const pruned = await recorded(() => sync({ tenants: remaining, prune: true }));
    expect(pruned.writes.map((w) => `${w.method} ${w.path}`)).toEqual([`DELETE /api/orgs/${bochov.id}`]);
    expect(pruned.report.changes).toEqual([
      'Bochov: organisation deleted (its tenant, database city_bochov, is gone)',
    ]);
    expect([...grafana.orgs.values()].map((o) => o.name).sort()).toEqual([
      'Hasiči (HZS)',
      'Karlovy Vary',
      'Main Org.',
      'Someone else',
    ]);
    expect(grafana.orgs.get(unrelated.id)).toBeDefined();
    expect(grafana.orgs.get(private_.id)).toBeDefined();
  });

  it('refuses to prune with no tenant but the default one', async () => {
    await sync();
    await expect(sync({ tenants: [region[0] as SyncTenant], prune: true })).rejects.toThrow(
      'refusing to prune with no tenants',
    );
    expect(grafana.orgNamed('Bochov')).toBeDefined();
  });

  it('stops with Grafana’s answer when the organisation API refuses a token', async () => {
    const api = new GrafanaApi(new GrafanaHttp(grafana.url, { kind: 'token', token: 'glsa_org1' }));
    await expect(sync({ api, adminLogin: undefined })).rejects.toThrow(
      'Grafana answered GET /api/orgs?perpage=1000&page=1 with 403: Permission denied',
    );
  });
});

describe('npm run grafana:sync', () => {
  const script = join(import.meta.dirname, '../../scripts/grafana-sync.ts');
  let platform: Server;
  let platformUrl: string;

  beforeAll(async () => {
    // The platform's tenant list, as a region-admin reads it.
    platform = createServer((req, res) => {
      const ok = req.url === '/api/v1/tenants' && req.headers.authorization === 'Bearer cst_region_admin';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(ok ? { items: region.map((t) => ({ ...t, status: 'active' })) } : { error: 'no' }),
      );
    });
    platform.listen(0, '127.0.0.1');
    await once(platform, 'listening');
    platformUrl = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    platform.close();
  });

  async function run(env: Record<string, string>, args: string[] = []) {
    const result = await runFile(process.execPath, [script, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    return { code: 'code' in result ? result.code : 0, stdout: result.stdout, stderr: result.stderr };
  }

  const settings = () => ({
    GRAFANA_URL: grafana.url,
    GRAFANA_USER: 'admin',
    GRAFANA_PASSWORD: 'admin-secret',
    INFLUX_URL: 'http://influxdb:8086',
    CITY_API_URL: platformUrl,
    CITY_API_TOKEN: 'cst_region_admin',
  });

  it('syncs the tenants the platform API lists; run again, it changes nothing', async () => {
    const first = await run(settings());
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Karlovy Vary: organisation created');
    expect(first.stdout).toContain('grafana:sync: 3 tenants, ');
    expect(first.stderr).toContain('karlovy-vary, bochov read InfluxDB with the shared INFLUX_TOKEN');
    expect(org('Bochov').datasources.get('city-influx')?.view.jsonData).toMatchObject({
      dbName: 'city_bochov',
    });

    const writes = grafana.writes().length;
    const second = await run(settings());
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('grafana:sync: 3 tenants, 0 changes, 0 failures\n');
    expect(grafana.writes()).toHaveLength(writes);
  });

  it('uses each tenant’s read token from INFLUX_READ_TOKENS_FILE', async () => {
    const dir = await tempDir('grafana-sync');
    try {
      const tokens = join(dir.path, 'tokens.json');
      await writeFile(tokens, JSON.stringify({ 'karlovy-vary': 'kv-read', bochov: 'bochov-read' }));
      const result = await run({ ...settings(), INFLUX_READ_TOKENS_FILE: tokens });
      expect(result.code).toBe(0);
      expect(result.stderr).not.toContain('shared INFLUX_TOKEN');
      expect(org('Karlovy Vary').datasources.get('city-influx')?.secrets).toEqual({
        httpHeaderValue1: 'Token kv-read',
      });
    } finally {
      await dir.remove();
    }
  });

  it('says what is missing before asking anything', async () => {
    const result = await run({ INFLUX_URL: 'http://influxdb:8086' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GRAFANA_URL');
    expect(result.stderr).toContain(
      'set GRAFANA_USER and GRAFANA_PASSWORD (a Grafana server admin) or GRAFANA_TOKEN',
    );
    expect(result.stderr).toContain('--tenants <file>, or CITY_API_URL and CITY_API_TOKEN');
    expect(grafana.requests).toEqual([]);
  });

  it('explains why a token cannot manage organisations', async () => {
    const { GRAFANA_USER: _u, GRAFANA_PASSWORD: _p, ...rest } = settings();
    const result = await run({ ...rest, GRAFANA_TOKEN: 'glsa_org1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('with 403: Permission denied');
    expect(result.stderr).toContain("takes a server admin's basic authentication");
  });
});
