import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Datasource, StoredDashboard } from '../../../../scripts/grafana/api.ts';
import {
  type Dashboard,
  dashboardIsCurrent,
  datasourceIsCurrent,
  readDashboards,
  tenantDashboard,
  tenantDatasource,
} from '../../../../scripts/grafana/desired.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

const influx = { url: 'http://influxdb:8086', token: 'read-only' };
const spec = tenantDatasource(influx, 'city_cheb');

/** The datasource as Grafana shows it back: secrets as flags only. */
function shown(overrides: Partial<Datasource> = {}): Datasource {
  const { secureJsonData, ...rest } = spec;
  return {
    ...rest,
    jsonData: { ...spec.jsonData },
    secureJsonFields: Object.fromEntries(Object.keys(secureJsonData).map((k) => [k, true])),
    ...overrides,
  };
}

describe('tenantDatasource', () => {
  it('is the provisioned datasource of organisation 1 with the tenant’s database', () => {
    // Grafana expands $VAR and ${VAR} in provisioning files from its environment.
    const environment: Record<string, string> = {
      INFLUX_URL: influx.url,
      INFLUX_TOKEN: influx.token,
      INFLUX_DATABASE: 'city_cheb',
    };
    const text = readFileSync(
      join(import.meta.dirname, '../../../../provisioning/grafana/datasources/influxdb.yaml'),
      'utf8',
    ).replace(/\$\{(\w+)\}/g, (_, name: string) => environment[name] ?? '');
    const [provisioned] = (parse(text) as { datasources: Record<string, unknown>[] }).datasources;
    const { editable: _editable, ...fields } = provisioned ?? {};
    expect(spec).toEqual(fields);
  });

  it('sends an empty token as InfluxDB 1.x without authentication expects (ignored header)', () => {
    expect(tenantDatasource({ url: 'http://x:8086', token: '' }, 'city_a').secureJsonData).toEqual({
      httpHeaderValue1: 'Token ',
    });
  });
});

describe('datasourceIsCurrent', () => {
  it('holds for the datasource as Grafana shows it back, also with jsonData Grafana added', () => {
    expect(datasourceIsCurrent(shown(), spec)).toBe(true);
    expect(datasourceIsCurrent(shown({ jsonData: { ...spec.jsonData, keepCookies: [] } }), spec)).toBe(true);
  });

  it('needs every secret set', () => {
    const twoSecrets = { ...spec, secureJsonData: { httpHeaderValue1: 'Token x', basicAuthPassword: 'y' } };
    expect(datasourceIsCurrent(shown({ secureJsonFields: { httpHeaderValue1: true } }), twoSecrets)).toBe(
      false,
    );
    const both = { httpHeaderValue1: true, basicAuthPassword: true };
    expect(datasourceIsCurrent(shown({ secureJsonFields: both }), twoSecrets)).toBe(true);
  });

  it.each([
    ['the name', { name: 'Other' }],
    ['the type', { type: 'prometheus' }],
    ['the access mode', { access: 'direct' }],
    ['the URL', { url: 'http://elsewhere:8086' }],
    ['whether it is the default', { isDefault: false }],
    ['the database', { jsonData: { ...spec.jsonData, dbName: 'city_other' } }],
    ['the query language', { jsonData: { ...spec.jsonData, version: 'Flux' } }],
    ['a missing jsonData entry', { jsonData: { dbName: 'city_cheb' } }],
    ['the secret not being set', { secureJsonFields: {} }],
    ['the secret marked unset', { secureJsonFields: { httpHeaderValue1: false } }],
  ])('fails when %s differs', (_, overrides) => {
    expect(datasourceIsCurrent(shown(overrides as Partial<Datasource>), spec)).toBe(false);
  });
});

describe('dashboards', () => {
  const file: Dashboard = {
    id: null,
    uid: 'city-x',
    title: 'X',
    version: 1,
    timezone: 'browser',
    panels: [{ id: 1 }],
  };

  it('reads the provisioned dashboards: the city-wide ones and each kind’s', async () => {
    const uids = (await readDashboards()).map((d) => d.uid);
    expect(uids).toEqual([
      'city-cameras',
      'city-ev-charging',
      'city-gateways',
      'city-overview',
      'city-platform',
      'city-street-lighting',
      'city-waste',
    ]);
  });

  it('reads only the JSON files, and only the kinds that have a dashboard', async () => {
    const dir = await tempDir('dashboards');
    try {
      const root = dir.path;
      await mkdir(join(root, 'grafana/dashboards/json'), { recursive: true });
      await mkdir(join(root, 'kinds/lamp'), { recursive: true });
      await mkdir(join(root, 'kinds/ruleless'), { recursive: true });
      await writeFile(join(root, 'grafana/dashboards/json/b.json'), JSON.stringify({ uid: 'b', title: 'B' }));
      await writeFile(join(root, 'grafana/dashboards/json/notes.md'), '# not a dashboard');
      await writeFile(
        join(root, 'kinds/lamp/dashboard.json'),
        JSON.stringify({ uid: 'a', title: 'A', x: 1 }),
      );
      await writeFile(join(root, 'kinds/ruleless/rules.json'), '[]');
      await writeFile(join(root, 'kinds/index.md'), '# kinds');
      expect(await readDashboards(root)).toEqual([
        { uid: 'a', title: 'A', x: 1 },
        { uid: 'b', title: 'B' },
      ]);
      await writeFile(join(root, 'grafana/dashboards/json/c.json'), JSON.stringify({ title: 'No uid' }));
      await expect(readDashboards(root)).rejects.toThrow(
        `dashboard ${join(root, 'grafana/dashboards/json/c.json')} is invalid`,
      );
    } finally {
      await dir.remove();
    }
  });

  it('puts a tenant’s dashboard in its time zone, without the id and version Grafana assigns', () => {
    expect(tenantDashboard(file, 'Europe/Prague')).toEqual({
      uid: 'city-x',
      title: 'X',
      timezone: 'Europe/Prague',
      panels: [{ id: 1 }],
    });
    expect(tenantDashboard(file, undefined)).toEqual({
      uid: 'city-x',
      title: 'X',
      timezone: 'browser',
      panels: [{ id: 1 }],
    });
  });

  it('sees a dashboard as current whatever id and version Grafana gave it, in the right folder only', () => {
    const wanted = tenantDashboard(file, 'Europe/Prague');
    const held = (folderUid: string, extra: Record<string, unknown> = {}): StoredDashboard => ({
      dashboard: { ...wanted, id: 17, version: 4, ...extra },
      meta: { folderUid },
    });
    expect(dashboardIsCurrent(held('city'), wanted, 'city')).toBe(true);
    expect(dashboardIsCurrent(held('general'), wanted, 'city')).toBe(false);
    expect(dashboardIsCurrent(held('city', { title: 'Edited' }), wanted, 'city')).toBe(false);
    expect(dashboardIsCurrent(held('city', { panels: [{ id: 1 }, { id: 2 }] }), wanted, 'city')).toBe(false);
    expect(dashboardIsCurrent(held('city', { editable: true }), wanted, 'city')).toBe(false);
    expect(dashboardIsCurrent({ dashboard: wanted, meta: {} }, wanted, 'city')).toBe(false);
  });
});
