import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type ErrorWithReasonCode } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentials } from '../../cloud/broker/credentials.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { tenantDatabase } from '../../cloud/tenants/database-name.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { BrowserClient } from '../helpers/browser-session.ts';
import { apiFetch, countPoints, silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import {
  asRegion,
  createTenant,
  karlovyVary,
  loket,
  type Town,
  writeTownFolders,
} from '../helpers/tenants.ts';
import { waitFor } from '../helpers/wait.ts';

let influxd: LocalInfluxd;
let cloud: TestCloud;
let dir: Awaited<ReturnType<typeof tempDir>>;
const cities: Awaited<ReturnType<typeof streamingCity>>[] = [];
const secrets = new Map<string, Map<string, string>>();

async function startTown(town: Town) {
  const city = await streamingCity({
    log: silentLog,
    fleet: town.fleet,
    mqttUrl: cloud.mqttUrl,
    dataDir: join(dir.path, 'edge', town.id),
    secrets: secrets.get(town.id) as Map<string, string>,
  });
  cities.push(city);
  return city;
}

const json = async (res: Response) => ({
  status: res.status,
  // biome-ignore lint/suspicious/noExplicitAny: answers of several routes, checked field by field
  body: (await res.json()) as Record<string, any>,
});

beforeAll(async () => {
  influxd = await startTestInfluxd();
  dir = await tempDir('tenants');
  const tenantsDir = join(dir.path, 'tenants');
  await writeTownFolders(tenantsDir, [karlovyVary, loket]);
  cloud = await startTestCloud(influxd.url, undefined, { TENANTS_DIR: tenantsDir, DEFAULT_TENANT: 'false' });
  for (const town of [karlovyVary, loket]) {
    await createTenant(cloud.apiUrl, town, { messagesPerSecond: 1_000 });
    secrets.set(
      town.id,
      await issueCredentials(
        join(cloud.dataDir, 'gateway-credentials.json'),
        town.fleet.gateways.map((g) => g.id),
        new Date(),
        town.id,
      ),
    );
  }
});

afterAll(async () => {
  await Promise.all(cities.map((c) => c.stop()));
  await cloud?.stop();
  await influxd?.stop();
  await dir?.remove();
});

describe('a tenant from creation to deletion', () => {
  it('starts with no default tenant, and lists the created ones to region staff', async () => {
    const { body } = await json(await apiFetch(`${cloud.apiUrl}/api/v1/tenants`));
    expect(body.items.map((t: { id: string }) => t.id)).toEqual(['karlovy-vary', 'loket']);
    expect(body.items[0]).toMatchObject({
      name: 'Karlovy Vary',
      timezone: 'Europe/Prague',
      status: 'active',
    });
  });

  it("keeps each town's data in its own InfluxDB database and answers each town's API from it", async () => {
    const kv = await startTown(karlovyVary);
    const lo = await startTown(loket);
    for (const city of [kv, lo]) {
      await city.pollAll();
      await city.drained();
    }
    await cloud.cloud.flush();
    const kvDb = cloud.influx.withDatabase(tenantDatabase(cloud.influx.settings.database, 'karlovy-vary'));
    const loDb = cloud.influx.withDatabase(tenantDatabase(cloud.influx.settings.database, 'loket'));
    const kvLamps = karlovyVary.fleet.devices.filter((d) => d.kind === 'streetlight').length;
    const loLamps = loket.fleet.devices.filter((d) => d.kind === 'streetlight').length;
    expect(await countPoints(kvDb, 'streetlight', 'activePower')).toBe(kvLamps);
    expect(await countPoints(loDb, 'streetlight', 'activePower')).toBe(loLamps);
    const kvDevices = await json(await asRegion(cloud.apiUrl, 'karlovy-vary', '/api/v1/devices?limit=1000'));
    expect(kvDevices.body.total).toBe(karlovyVary.fleet.devices.length);
    expect(kvDevices.body.items.every((d: { id: string }) => d.id.startsWith('kv-'))).toBe(true);
    const lampOfLoket = loket.fleet.devices[0]?.id as string;
    expect((await asRegion(cloud.apiUrl, 'karlovy-vary', `/api/v1/devices/${lampOfLoket}`)).status).toBe(404);
    expect((await asRegion(cloud.apiUrl, 'loket', `/api/v1/devices/${lampOfLoket}`)).status).toBe(200);
  });

  it("streams every town's alert changes, each with its town, to region staff (GET /region/events)", async () => {
    const controller = new AbortController();
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/region/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const seen = new Set<string>();
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
        for (const block of text.split('\n\n'))
          if (block.startsWith('event: alert'))
            seen.add(JSON.parse(block.split('data: ')[1] ?? '{}').alert.tenant);
      }
    })().catch(() => undefined);
    // A rule every lamp matches, in each town: an alert fires in each at the next reading.
    for (const town of [karlovyVary, loket]) {
      const rule = {
        id: 'lamp-reported',
        name: 'Lamp reported',
        severity: 'info',
        target: { kind: 'streetlight' },
        condition: { type: 'threshold', metric: 'activePower', op: '>=', value: 0 },
      };
      const created = await asRegion(cloud.apiUrl, town.id, '/api/v1/rules', {
        method: 'POST',
        body: JSON.stringify(rule),
      });
      expect(created.status, await created.clone().text()).toBe(201);
    }
    for (const city of cities) await city.pollAll();
    await waitFor('alerts of both towns on the region stream', () =>
      seen.has('karlovy-vary') && seen.has('loket') ? true : undefined,
    );
    controller.abort();
    await reading;
  });

  it("gives a town's own accounts its data only: another town's ids and names answer 404", async () => {
    const created = await asRegion(cloud.apiUrl, 'loket', '/api/v1/users', {
      method: 'POST',
      body: JSON.stringify({ username: 'lo-tech', role: 'viewer', password: 'loket-first-password' }),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { tenant: string }).tenant).toBe('loket');
    const tech = new BrowserClient(cloud.apiUrl);
    await tech.signIn('lo-tech', 'loket-first-password');
    await tech.call('POST', '/api/v1/session/password', {
      currentPassword: 'loket-first-password',
      newPassword: 'loket-second-password',
    });
    const own = await tech.call('GET', '/api/v1/devices?limit=1000');
    expect(own.status).toBe(200);
    expect(own.body.total).toBe(loket.fleet.devices.length);
    const kvDevice = karlovyVary.fleet.devices[0]?.id as string;
    expect((await tech.call('GET', `/api/v1/devices/${kvDevice}`)).status).toBe(404);
    expect(
      (await tech.call('GET', '/api/v1/devices', undefined, { headers: { 'x-tenant': 'karlovy-vary' } }))
        .status,
    ).toBe(404);
    expect((await tech.call('GET', '/api/v1/tenants/karlovy-vary')).status).toBe(404);
    const tenants = await tech.call('GET', '/api/v1/tenants');
    expect(tenants.body.items.map((t: { id: string }) => t.id)).toEqual(['loket']);
    expect((await tech.call('POST', '/api/v1/tenants/loket/suspend')).status).toBe(403);
  });

  it('suspends a town: its gateways are disconnected and refused, its accounts refused, its data kept', async () => {
    const suspended = await json(
      await apiFetch(`${cloud.apiUrl}/api/v1/tenants/loket/suspend`, { method: 'POST' }),
    );
    expect(suspended.body.status).toBe('suspended');
    const gateway = loket.fleet.gateways[0]?.id as string;
    const refused = await connectAsync(cloud.mqttUrl, {
      clientId: gateway,
      username: gateway,
      password: secrets.get('loket')?.get(gateway),
      reconnectPeriod: 0,
    }).catch((error: ErrorWithReasonCode) => error);
    expect((refused as ErrorWithReasonCode).code).toBe(5);
    const tech = new BrowserClient(cloud.apiUrl);
    await tech.signIn('lo-tech', 'loket-second-password');
    const denied = await tech.call('GET', '/api/v1/devices');
    expect(denied.status).toBe(403);
    expect(JSON.stringify(denied.body)).toMatch(/suspended/);
    const kept = await json(await asRegion(cloud.apiUrl, 'loket', '/api/v1/devices?limit=1000'));
    expect(kept.body.total).toBe(loket.fleet.devices.length);
    // The other town goes on.
    expect((await asRegion(cloud.apiUrl, 'karlovy-vary', '/api/v1/devices?limit=1')).status).toBe(200);
  });

  it('resumes a town: its gateways connect again', async () => {
    const resumed = await json(
      await apiFetch(`${cloud.apiUrl}/api/v1/tenants/loket/resume`, { method: 'POST' }),
    );
    expect(resumed.body.status).toBe('active');
    const gateway = loket.fleet.gateways[0]?.id as string;
    const client = await connectAsync(cloud.mqttUrl, {
      clientId: `${gateway}`,
      username: gateway,
      password: secrets.get('loket')?.get(gateway),
      reconnectPeriod: 0,
    });
    await client.endAsync();
  });

  it('deletes a town and leaves nothing of it: database, data folder, accounts, tokens, grants, gateways, record', async () => {
    await cities.splice(1, 1)[0]?.stop();
    const token = await asRegion(cloud.apiUrl, 'loket', '/api/v1/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'loket-integration', role: 'viewer' }),
    });
    expect(token.status).toBe(201);
    const { token: secret } = (await token.json()) as { token: string };
    const byToken = () =>
      apiFetch(`${cloud.apiUrl}/api/v1/devices?limit=1`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await byToken()).status).toBe(200);
    const dispatch = await apiFetch(`${cloud.apiUrl}/api/v1/region/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'region-dispatch',
        role: 'reader',
        password: 'region-dispatch-password',
        grants: ['karlovy-vary', 'loket'],
      }),
    });
    expect(dispatch.status).toBe(201);
    const database = tenantDatabase(cloud.influx.settings.database, 'loket');
    const before = await cloud.influx.select('SHOW DATABASES');
    expect(JSON.stringify(before)).toContain(database);
    const deleted = await apiFetch(`${cloud.apiUrl}/api/v1/tenants/loket`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await apiFetch(`${cloud.apiUrl}/api/v1/tenants/loket`)).status).toBe(404);
    expect((await asRegion(cloud.apiUrl, 'loket', '/api/v1/devices')).status).toBe(404);
    const after = await cloud.influx.select('SHOW DATABASES');
    expect(JSON.stringify(after)).not.toContain(database);
    expect(existsSync(join(cloud.dataDir, 'tenants', 'loket'))).toBe(false);
    const credentials = await readFile(join(cloud.dataDir, 'gateway-credentials.json'), 'utf8');
    expect(credentials).not.toContain('"loket"');
    for (const g of loket.fleet.gateways) expect(credentials).not.toContain(`"${g.id}"`);
    const tech = new BrowserClient(cloud.apiUrl);
    expect((await tech.signIn('lo-tech', 'loket-second-password')).status).toBe(401);
    const gateway = loket.fleet.gateways[0]?.id as string;
    const refused = await connectAsync(cloud.mqttUrl, {
      clientId: gateway,
      username: gateway,
      password: secrets.get('loket')?.get(gateway),
      reconnectPeriod: 0,
    }).catch((error: ErrorWithReasonCode) => error);
    expect((refused as ErrorWithReasonCode).code).toBe(4);
    expect((await byToken()).status).toBe(401);
    const region = await json(await apiFetch(`${cloud.apiUrl}/api/v1/region/users`));
    const dispatcher = region.body.items.find((u: { username: string }) => u.username === 'region-dispatch');
    expect(dispatcher.grants).toEqual(['karlovy-vary']);
    // The other town is untouched.
    const kv = await json(await asRegion(cloud.apiUrl, 'karlovy-vary', '/api/v1/devices?limit=1'));
    expect(kv.body.total).toBe(karlovyVary.fleet.devices.length);
    await waitFor('the platform to list one tenant', async () => {
      const { body } = await json(await apiFetch(`${cloud.apiUrl}/api/v1/tenants`));
      return body.items.length === 1 ? body : undefined;
    });
  });
});
