import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { provisionCli } from '../helpers/provision-cli.ts';
import { waitFor } from '../helpers/wait.ts';

const fleet = generateFleet({ seed: 73, devices: 12, devicesPerGateway: 4 });
const [gatewayA, gatewayB, gatewayC] = fleet.gateways.map((g) => g.id) as [string, string, string];
const { log, entries } = captureLog();
let influxd: LocalInfluxd;
let cloud: TestCloud;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet, {}, undefined, log);
});

afterAll(async () => {
  await cloud?.stop();
  await influxd?.stop();
});

const connect = (gateway: string, password: string) =>
  connectAsync(cloud.mqttUrl, { clientId: gateway, username: gateway, password, reconnectPeriod: 0 });
const closed = (client: MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()));
/** A valid heartbeat, acknowledged (QoS 1) only by a broker that still holds the connection. */
const heartbeat = (client: MqttClient, gateway: string) =>
  client.publishAsync(
    gatewayTopic(gateway, 'heartbeat'),
    JSON.stringify({
      v: 1,
      gatewayId: gateway,
      sentAt: new Date().toISOString(),
      uptime: 1,
      queueDepth: 0,
      droppedReadings: 0,
    }),
    { qos: 1 },
  );
const disconnects = () => cloud.cloud.counters.get('mqtt_credential_disconnects');
const secretIn = (stdout: string) => stdout.trim().split('\n').at(-1) as string;

describe('revoking or rotating a gateway secret from the command line', () => {
  it('closes the open connection of a revoked gateway, which cannot connect again, and says so', async () => {
    const secret = await cloud.provision(gatewayA);
    const client = await connect(gatewayA, secret);
    const gone = closed(client);
    const before = disconnects();
    await provisionCli(cloud.dataDir, ['gateway', 'revoke', gatewayA]);
    await gone;
    expect(disconnects()).toBe(before + 1);
    expect(entries.find((e) => e.msg === 'gateway disconnected: its credential was revoked')).toMatchObject({
      gatewayId: gatewayA,
      address: '127.0.0.1',
    });
    await expect(connect(gatewayA, secret)).rejects.toThrow(/Bad username or password/i);
    expect(JSON.stringify(entries)).not.toContain(secret);
  });

  it('closes the connection made with a rotated secret; the new secret connects', async () => {
    const secret = secretIn(await provisionCli(cloud.dataDir, ['gateway', 'add', gatewayB]));
    const client = await connect(gatewayB, secret);
    const gone = closed(client);
    const rotated = secretIn(await provisionCli(cloud.dataDir, ['gateway', 'rotate', gatewayB]));
    await gone;
    expect(entries.some((e) => e.msg === 'gateway disconnected: its secret was replaced')).toBe(true);
    await expect(connect(gatewayB, secret)).rejects.toThrow(/Bad username or password/i);
    (await connect(gatewayB, rotated)).end(true);
  });

  it('closes only the connections of the gateway concerned', async () => {
    const secretB = secretIn(await provisionCli(cloud.dataDir, ['gateway', 'rotate', gatewayB]));
    const secretC = await cloud.provision(gatewayC);
    const stays = await connect(gatewayB, secretB);
    const leaves = await connect(gatewayC, secretC);
    const gone = closed(leaves);
    await provisionCli(cloud.dataDir, ['gateway', 'revoke', gatewayC]);
    await gone;
    expect(stays.connected).toBe(true);
    await heartbeat(stays, gatewayB);
    await stays.endAsync();
  });

  it('keeps the credentials in force when the file is replaced by an invalid one, and says why', async () => {
    const secret = await cloud.provision(gatewayC);
    const client = await connect(gatewayC, secret);
    const path = join(cloud.dataDir, 'gateway-credentials.json');
    await writeFile(`${path}.edit`, '{"gateways": {"gw-1": {"hash": "plain text"');
    await rename(`${path}.edit`, path);
    await waitFor(
      'the invalid file to be refused',
      () => cloud.cloud.counters.get('credentials_file_refused') === 1,
    );
    expect(entries.find((e) => e.msg.startsWith('credentials file refused'))).toMatchObject({
      path,
      level: 50,
    });
    expect(client.connected).toBe(true);
    await heartbeat(client, gatewayC);
    (await connect(gatewayC, secret)).end(true); // a new connection still uses the last good version
  });
});

describe('API tokens', () => {
  it('refuses a token revoked from the command line at its next request', async () => {
    const created = await apiFetch(`${cloud.apiUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'night shift', role: 'viewer' }),
    });
    const { id, token } = (await created.json()) as { id: string; token: string };
    const asViewer = { headers: { authorization: `Bearer ${token}` } };
    expect((await apiFetch(`${cloud.apiUrl}/api/v1/devices`, asViewer)).status).toBe(200);
    await provisionCli(cloud.dataDir, ['token', 'revoke', id]);
    expect((await apiFetch(`${cloud.apiUrl}/api/v1/devices`, asViewer)).status).toBe(401);
  });
});
