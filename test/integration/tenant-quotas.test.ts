import { join } from 'node:path';
import { connectAsync, type ErrorWithReasonCode, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentials } from '../../cloud/broker/credentials.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { tenantDatabase } from '../../cloud/tenants/database-name.ts';
import type { TenantUsage } from '../../cloud/tenants/quotas.ts';
import type { DeviceKind } from '../../shared/kinds/index.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { simulatedKinds } from '../../simulators/kinds/index.ts';
import { apiFetch, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { provisionCli } from '../helpers/provision-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { asRegion, createTenant, karlovyVary, loket, writeTownFolders } from '../helpers/tenants.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Each quota of a tenant against the real cloud (aedes, SQLite, a real influxd): what goes over it is
 * refused with its reason, counted as the tenant's own, shown in its usage, and leaves the other
 * tenant alone. Karlovy Vary's fleet: 40 devices on 2 gateways (20 each); Loket's: 20 on 1.
 */
let influxd: LocalInfluxd;
let cloud: TestCloud;
let dir: Awaited<ReturnType<typeof tempDir>>;
const logs = captureLog();
const secrets = new Map<string, string>();
const clients: MqttClient[] = [];
const kv = karlovyVary.fleet;
const [kvFirst, kvSecond] = kv.gateways.map((g) => g.id) as [string, string];
const loGateway = loket.fleet.gateways[0]?.id as string;

const connect = (gateway: string) =>
  connectAsync(cloud.mqttUrl, {
    clientId: gateway,
    username: gateway,
    password: secrets.get(gateway),
    reconnectPeriod: 0,
  }).then((client) => {
    clients.push(client);
    return client;
  });

let batches = 0;
/** A telemetry batch of one valid reading per device. */
const telemetry = (gateway: string, devices: { id: string; kind: DeviceKind }[]) =>
  JSON.stringify({
    v: 1,
    gatewayId: gateway,
    sentAt: new Date().toISOString(),
    batchId: `quota-${batches++}`,
    readings: devices.map((d, i) => ({
      deviceId: d.id,
      kind: d.kind,
      ts: new Date(Date.now() - 1_000).toISOString(),
      metrics: simulatedKinds[d.kind].quietMetrics(i, { now: new Date(), sunUp: true }),
    })),
  });

/** A tenant's list (devices, gateways, dead letters, their usage) as region staff read it. */
const list = async (tenant: string, path: string) =>
  (await (await asRegion(cloud.apiUrl, tenant, path)).json()) as {
    total: number;
    items: ({ id: string; dropped: number } & Record<string, unknown>)[];
  };

const usage = async (tenant: string) =>
  (await (await apiFetch(`${cloud.apiUrl}/api/v1/tenants/${tenant}/usage`)).json()) as TenantUsage;

const patch = async (tenant: string, quotas: Record<string, number>) => {
  const res = await apiFetch(`${cloud.apiUrl}/api/v1/tenants/${tenant}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ quotas }),
  });
  expect(res.status).toBe(200);
};

const retentionOf = async (tenant: string) => {
  const database = tenantDatabase(cloud.influx.settings.database, tenant);
  const [series] = await cloud.influx.select(`SHOW RETENTION POLICIES ON "${database}"`);
  const columns = series?.columns ?? [];
  const policy = series?.values.find((row) => row[columns.indexOf('default')] === true);
  return policy?.[columns.indexOf('duration')];
};

beforeAll(async () => {
  influxd = await startTestInfluxd();
  dir = await tempDir('tenant-quotas');
  const tenantsDir = join(dir.path, 'tenants');
  await writeTownFolders(tenantsDir, [karlovyVary, loket]);
  cloud = await startTestCloud(
    influxd.url,
    undefined,
    { TENANTS_DIR: tenantsDir, DEFAULT_TENANT: 'false', LEARN_UNPROVISIONED_DEVICES: 'true' },
    undefined,
    logs.log,
  );
  await createTenant(cloud.apiUrl, karlovyVary, { devices: 30, gateways: 1 });
  await createTenant(cloud.apiUrl, loket, { messagesPerSecond: 5, retentionDays: 7 });
  for (const town of [karlovyVary, loket]) {
    const issued = await issueCredentials(
      join(cloud.dataDir, 'gateway-credentials.json'),
      town.fleet.gateways.map((g) => g.id),
      new Date(),
      town.id,
    );
    for (const [gateway, secret] of issued) secrets.set(gateway, secret);
  }
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await cloud?.stop();
  await influxd?.stop();
  await dir?.remove();
});

describe('tenant quotas', () => {
  it("loads the fleet files' first devices and gateways up to the quotas, and logs and counts the rest once", async () => {
    const devices = await list('karlovy-vary', '/api/v1/devices?limit=100');
    expect(devices.total).toBe(30);
    expect(devices.items.map((d) => d.id).sort()).toEqual(
      kv.devices
        .slice(0, 30)
        .map((d) => d.id)
        .sort(),
    );
    const gateways = await list('karlovy-vary', '/api/v1/gateways');
    expect(gateways.items.map((g) => g.id)).toEqual([kvFirst]);
    expect(await usage('karlovy-vary')).toMatchObject({
      devices: 30,
      gateways: 1,
      quotas: { devices: 30, gateways: 1 },
      refused: { devices: 10, gateways: 1, messages: 0, deadLetters: 0 },
    });
    const notLoaded = logs.entries.filter((e) => e.tenant === 'karlovy-vary' && /not loaded/.test(e.msg));
    expect(notLoaded.map((e) => e.msg)).toEqual([
      "1 gateways of the fleet files not loaded: the tenant's quota is 1 gateways (a raised quota admits them, in file order)",
      "10 devices of the fleet files not loaded: the tenant's quota is 30 devices (a raised quota admits them, in file order)",
    ]);
    expect((await usage('loket')).refused).toEqual({
      devices: 0,
      gateways: 0,
      messages: 0,
      deadLetters: 0,
      deadLetterBytes: 0,
    });
  });

  it('refuses a gateway past the quota with CONNACK 5 and the reason logged; lets the one within it in', async () => {
    await connect(kvFirst);
    const refused = await connect(kvSecond).catch((error: ErrorWithReasonCode) => error);
    expect((refused as ErrorWithReasonCode).code).toBe(5);
    expect(logs.entries.map((e) => e.msg)).toContain(
      'MQTT connection refused: tenant karlovy-vary is at its quota of 1 gateways (1 in use)',
    );
    expect((await usage('karlovy-vary')).refused.gateways).toBe(2);
    expect(cloud.cloud.counters.get('gateways_over_quota')).toBe(2);
  });

  it('refuses to learn a device past the devices quota, as a dead letter saying why', async () => {
    const client = await connect(kvFirst);
    const known = kv.devices[0] as { id: string; kind: DeviceKind };
    await client.publishAsync(
      gatewayTopic(kvFirst, 'telemetry'),
      telemetry(kvFirst, [known, { id: 'kv-new-lamp', kind: 'streetlight' }]),
      { qos: 1 },
    );
    const letters = await waitFor('the dead letter', async () => {
      const body = await list('karlovy-vary', '/api/v1/dead-letters?reason=device-over-quota');
      return body.total === 1 ? body : undefined;
    });
    expect(letters.items[0]?.rejections).toEqual([
      {
        reason: 'device-over-quota',
        message: "device not learned: the tenant's registry holds its quota of 30 devices",
        index: 1,
      },
    ]);
    expect(await usage('karlovy-vary')).toMatchObject({ devices: 30, refused: { devices: 11 } });
    expect((await asRegion(cloud.apiUrl, 'karlovy-vary', '/api/v1/devices/kv-new-lamp')).status).toBe(404);
  });

  it('admits at once what a raised quota makes room for: the fleet files, the gateway, learning', async () => {
    await patch('karlovy-vary', { devices: 41, gateways: 2 });
    const devices = await list('karlovy-vary', '/api/v1/devices?limit=1');
    expect(devices.total).toBe(40);
    const second = await connect(kvSecond);
    await second.publishAsync(
      gatewayTopic(kvSecond, 'telemetry'),
      telemetry(kvSecond, [{ id: 'kv-new-lamp', kind: 'streetlight' }]),
      { qos: 1 },
    );
    await waitFor('the learned device', async () =>
      (await asRegion(cloud.apiUrl, 'karlovy-vary', '/api/v1/devices/kv-new-lamp')).ok ? true : undefined,
    );
    expect(await usage('karlovy-vary')).toMatchObject({ devices: 41, gateways: 2 });
  });

  it("paces a tenant's messages a little over its messages/s: they wait their turn, none is refused", async () => {
    const gateway = await connect(loGateway);
    const lamp = loket.fleet.devices[0] as { id: string; kind: DeviceKind };
    // Its quota is 5 messages/s with a burst of 10: 14 in a row are 10 at once and 4 waiting (≤ 1 s).
    await Promise.all(
      Array.from({ length: 14 }, () =>
        gateway.publishAsync(gatewayTopic(loGateway, 'telemetry'), telemetry(loGateway, [lamp]), { qos: 1 }),
      ),
    );
    const paced = await usage('loket');
    expect(paced.pacedMessages).toBeGreaterThan(0);
    expect(paced.refused.messages).toBe(0);
    // The broker read nothing more from it while its messages waited, and reads it again after.
    await gateway.publishAsync(gatewayTopic(loGateway, 'telemetry'), telemetry(loGateway, [lamp]), {
      qos: 1,
    });
    await gateway.endAsync();
  });

  it("refuses a tenant's messages far over its messages/s as its own, and lets the other tenant's all through", async () => {
    const flooder = await connect(loGateway);
    const closed = new Promise<void>((resolve) => flooder.once('close', () => resolve()));
    const lamp = loket.fleet.devices[0] as { id: string; kind: DeviceKind };
    // A quota of 1 message/s: its burst of 2 and 5 waiting (5 s of its quota) get through, the rest
    // of what comes in one read is refused.
    await patch('loket', { messagesPerSecond: 1 });
    for (let i = 0; i < 30; i++)
      flooder.publish(gatewayTopic(loGateway, 'telemetry'), telemetry(loGateway, [lamp]), { qos: 1 });
    const quiet = clients.find((c) => c.options.clientId === kvFirst && c.connected) as MqttClient;
    const known = kv.devices.slice(0, 2) as { id: string; kind: DeviceKind }[];
    await Promise.all(
      Array.from({ length: 30 }, () =>
        quiet.publishAsync(gatewayTopic(kvFirst, 'telemetry'), telemetry(kvFirst, known), { qos: 1 }),
      ),
    );
    await closed;
    const refused = (await usage('loket')).refused.messages;
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(cloud.cloud.counters.get('mqtt_publish_tenant_rate_limited')).toBe(refused);
    expect(await usage('karlovy-vary')).toMatchObject({ pacedMessages: 0, refused: { messages: 0 } });
    expect(logs.entries.map((e) => e.msg)).toContain(
      'publish refused: tenant loket is over its quota of 1 messages/s',
    );
    const metered = await waitFor(
      'a measured rate',
      async () => (await usage('karlovy-vary')).messagesPerSecond,
    );
    expect(metered).toBeGreaterThan(0);
  });

  it("bounds a tenant's dead letters in total, over all its gateways, and counts what it drops", async () => {
    const before = (await usage('karlovy-vary')).deadLetterBytes;
    await patch('karlovy-vary', { deadLetterBytes: before + 1_000 });
    const second = clients.find((c) => c.options.clientId === kvSecond && c.connected) as MqttClient;
    const first = clients.find((c) => c.options.clientId === kvFirst && c.connected) as MqttClient;
    for (let i = 0; i < 10; i++)
      for (const [client, gateway] of [
        [first, kvFirst],
        [second, kvSecond],
      ] as const)
        await client.publishAsync(gatewayTopic(gateway, 'events'), '{"not json', { qos: 1 });
    const after = await waitFor('dropped letters', async () => {
      const now = await usage('karlovy-vary');
      return now.refused.deadLetters > 0 ? now : undefined;
    });
    expect(after.deadLetterBytes).toBeGreaterThan(before);
    expect(after.deadLetterBytes).toBeLessThanOrEqual(before + 1_000);
    expect(after.refused.deadLetterBytes).toBeGreaterThan(0);
    const perGateway = await list('karlovy-vary', '/api/v1/dead-letters/usage');
    const dropped = perGateway.items.reduce((sum, gateway) => sum + gateway.dropped, 0);
    expect(dropped).toBe(after.refused.deadLetters);
    expect((await usage('loket')).refused.deadLetters).toBe(0);
  });

  it("sets each tenant's InfluxDB retention policy from its quota, and a changed quota reaches it", async () => {
    expect(await retentionOf('loket')).toBe('168h0m0s');
    expect(await retentionOf('karlovy-vary')).toBe(`${400 * 24}h0m0s`);
    await patch('loket', { retentionDays: 30 });
    expect(await retentionOf('loket')).toBe('720h0m0s');
    expect(await retentionOf('karlovy-vary')).toBe(`${400 * 24}h0m0s`);
  });

  it('refuses `provision gateway add` past the tenant gateway quota, naming it', async () => {
    await patch('loket', { gateways: 1 });
    await expect(
      provisionCli(cloud.dataDir, ['gateway', 'add', 'lo-gw-extra', '--tenant', 'loket']),
    ).rejects.toThrow(/tenant loket has 1 live gateway credentials and its quota is 1 gateways/);
    await patch('loket', { gateways: 2 });
    expect(await provisionCli(cloud.dataDir, ['gateway', 'add', 'lo-gw-extra', '--tenant', 'loket'])).toMatch(
      /lo-gw-extra: secret/,
    );
  });
});
