import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentials } from '../../cloud/broker/credentials.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { apiFetch, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { provisionCli } from '../helpers/provision-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { asRegion, createTenant, loket, writeTownFolders } from '../helpers/tenants.ts';

// Registered first, so dropped last: after the cloud has stopped.
const database = testDatabase();
let influxd: LocalInfluxd;
let cloud: TestCloud;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  dir = await tempDir('postgres-cloud');
  const tenantsDir = join(dir.path, 'tenants');
  await writeTownFolders(tenantsDir, [loket]);
  await database.pool();
  cloud = await startTestCloud(influxd.url, undefined, {
    TENANTS_DIR: tenantsDir,
    DEFAULT_TENANT: 'false',
    DATABASE_URL: database.url,
  });
});

afterAll(async () => {
  await cloud?.stop();
  await influxd?.stop();
  await dir?.remove();
});

const schemas = async () =>
  (
    await (
      await database.pool()
    ).query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname IN ('platform', 't_loket') ORDER BY nspname",
    )
  ).rows.map((r) => r.nspname);

describe('the cloud with DATABASE_URL: its stores in PostgreSQL, none in DATA_DIR', () => {
  it("keeps a tenant's record and stores in PostgreSQL, and drops its schema when it is deleted", async () => {
    await createTenant(cloud.apiUrl, loket);
    expect(await schemas()).toEqual(['platform', 't_loket']);
    const pool = await database.pool();
    expect((await pool.query('SELECT id FROM platform.tenants')).rows).toEqual([{ id: 'loket' }]);
    // A cell's features write to its schema: the registry (fleet files), gateway configurations.
    const gateway = loket.fleet.gateways[0]?.id as string;
    const configured = await asRegion(cloud.apiUrl, 'loket', `/api/v1/gateways/${gateway}/config`, {
      method: 'PUT',
      body: JSON.stringify({ reportingIntervalS: 120, deadband: {}, maxSilenceS: 600 }),
    });
    expect(configured.status).toBe(200);
    expect((await pool.query('SELECT gateway_id, version FROM t_loket.gateway_configs')).rows).toEqual([
      { gateway_id: gateway, version: 1 },
    ]);
    await expect
      .poll(async () => Number((await pool.query('SELECT COUNT(*) AS n FROM t_loket.devices')).rows[0].n))
      .toBe(loket.fleet.devices.length);
    expect(existsSync(join(cloud.dataDir, 'platform.db'))).toBe(false);
    expect(existsSync(join(cloud.dataDir, 'tenants', 'loket', 'cloud.db'))).toBe(false);
    // `provision gateway add` reads the quota from PostgreSQL (there is no platform.db to read it from).
    const lowered = await asRegion(cloud.apiUrl, 'loket', '/api/v1/tenants/loket', {
      method: 'PATCH',
      body: JSON.stringify({ quotas: { gateways: 1 } }),
    });
    expect(lowered.status).toBe(200);
    await issueCredentials(join(cloud.dataDir, 'gateway-credentials.json'), [gateway], new Date(), 'loket');
    await expect(
      provisionCli(cloud.dataDir, ['gateway', 'add', 'lo-gw-extra', '--tenant', 'loket'], {
        DATABASE_URL: database.url,
      }),
    ).rejects.toThrow(/tenant loket has 1 live gateway credentials and its quota is 1 gateways/);

    const deleted = await asRegion(cloud.apiUrl, 'loket', '/api/v1/tenants/loket', { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(await schemas()).toEqual(['platform']);
    expect((await pool.query('SELECT id FROM platform.tenants')).rows).toEqual([]);
  });

  it('npm run provision makes a token where the cloud reads it (DATABASE_URL)', async () => {
    const out = await provisionCli(cloud.dataDir, ['token', 'add', 'night-shift', 'admin', '--region'], {
      DATABASE_URL: database.url,
    });
    const secret = out.trim().split('\n').at(-1) as string;
    const listed = await apiFetch(`${cloud.apiUrl}/api/v1/tenants`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(listed.status).toBe(200);
    expect(existsSync(join(cloud.dataDir, 'platform.db'))).toBe(false);
  });
});
