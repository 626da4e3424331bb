import { readFile } from 'node:fs/promises';
import { connect, connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredential, pinCertificate } from '../../cloud/broker/credentials.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { makeCertificates } from '../helpers/certificates.ts';
import { apiFetch, getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { withDevices } from '../helpers/fleet.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { provisionCli } from '../helpers/provision-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const generated = generateFleet({ seed: 79, devices: 12, devicesPerGateway: 4 });
// Each gateway's own lamp, which the batches below report.
const fleet = withDevices(
  generated,
  generated.gateways.map((g) => ({ id: `lamp-mtls-${g.id}`, kind: 'streetlight', gatewayId: g.id })),
);
const [gatewayA, gatewayB, gatewayC] = fleet.gateways.map((g) => g.id) as [string, string, string];
/** Has a certificate from the cloud's CA but was never provisioned. */
const stranger = 'gw-never-provisioned';
const { log, entries } = captureLog();
let influxd: LocalInfluxd;
let cloud: TestCloud;
let dir: Awaited<ReturnType<typeof tempDir>>;
let certs: Awaited<ReturnType<typeof makeCertificates>>;
/** Certificates from another CA, with the same CNs. */
let rogue: Awaited<ReturnType<typeof makeCertificates>>;
let secretB: string;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  dir = await tempDir('mtls');
  certs = await makeCertificates(dir.path, [gatewayA, gatewayB, gatewayC, stranger]);
  const rogueDir = await tempDir('mtls-rogue');
  rogue = await makeCertificates(rogueDir.path, [gatewayA]);
  cloud = await startTestCloud(
    influxd.url,
    fleet,
    {
      MQTTS_PORT: '0',
      MQTT_TLS_CERT: certs.server.cert,
      MQTT_TLS_KEY: certs.server.key,
      MQTT_TLS_CA: certs.ca,
      MQTT_WS_PORT: '0',
    },
    undefined,
    log,
  );
  const credentialsFile = `${cloud.dataDir}/gateway-credentials.json`;
  // A: certificate only, pinned with the command line; B: secret and certificate; C: certificate only.
  await provisionCli(cloud.dataDir, ['gateway', 'cert', gatewayA, certs.client(gatewayA).cert]);
  secretB = await issueCredential(credentialsFile, gatewayB);
  await pinCertificate(credentialsFile, gatewayB, await readFile(certs.client(gatewayB).cert));
  await pinCertificate(credentialsFile, gatewayC, await readFile(certs.client(gatewayC).cert));
  return () => rogueDir.remove();
});

afterAll(async () => {
  await cloud?.stop();
  await influxd?.stop();
  await dir?.remove();
});

async function tls(
  gateway: string,
  certificate?: { cert: string; key: string },
  password?: string,
): Promise<IClientOptions> {
  return {
    port: cloud.cloud.mqttPorts.mqtts,
    host: '127.0.0.1',
    protocol: 'mqtts',
    ca: await readFile(certs.ca),
    ...(certificate ? { cert: await readFile(certificate.cert), key: await readFile(certificate.key) } : {}),
    clientId: gateway,
    username: gateway,
    ...(password ? { password } : {}),
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  };
}
const own = (gateway: string) => certs.client(gateway);
/** Resolves true on CONNACK, false when the connection closes without one. */
const connects = (options: IClientOptions) =>
  new Promise<boolean>((resolve) => {
    let connected = false;
    const client = connect(options);
    client.on('error', () => undefined);
    client.once('connect', () => {
      connected = true;
      client.end(true);
    });
    client.once('close', () => resolve(connected));
  });
const closed = (client: MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()));
const counter = (name: string) => cloud.cloud.counters.get(name);
const batch = (gatewayId: string) =>
  JSON.stringify({
    v: 1,
    gatewayId,
    sentAt: new Date().toISOString(),
    batchId: `b-${Math.random()}`,
    readings: [
      {
        deviceId: `lamp-mtls-${gatewayId}`,
        kind: 'streetlight',
        ts: new Date().toISOString(),
        metrics: { activePower: 12 },
      },
    ],
  });

describe('MQTT over mutual TLS', () => {
  it('accepts a gateway by the certificate pinned for it and stores what it sends', async () => {
    const client = await connectAsync(await tls(gatewayA, own(gatewayA)));
    await client.publishAsync(gatewayTopic(gatewayA, 'telemetry'), batch(gatewayA), { qos: 1 });
    await client.endAsync();
    expect((await getJson(`${cloud.apiUrl}/api/v1/devices/lamp-mtls-${gatewayA}`)).status).toBe(200);
  });

  it('refuses a certificate issued to another gateway', async () => {
    const before = counter('mqtt_auth_refused_certificate');
    await expect(connectAsync(await tls(gatewayA, own(gatewayB)))).rejects.toThrow(/Not authorized/i);
    expect(counter('mqtt_auth_refused_certificate')).toBe(before + 1);
  });

  it('refuses a gateway never provisioned, though its certificate is signed by the CA', async () => {
    await expect(connectAsync(await tls(stranger, own(stranger)))).rejects.toThrow(/Not authorized/i);
    // A gateway never provisioned is named in the logs by the size and hash of its id, not the id.
    const refused = entries.filter(
      (e) => e.msg === 'MQTT connection refused: no credential is provisioned for this gateway',
    );
    expect(refused.at(-1)).toMatchObject({
      username: expect.stringMatching(/^\(unknown: 20 bytes, sha256 /),
    });
    expect(JSON.stringify(entries)).not.toContain(stranger);
  });

  it('checks a password that is sent: a wrong one is refused despite a valid certificate, the right one is not', async () => {
    await expect(connectAsync(await tls(gatewayB, own(gatewayB), 'not-the-secret-of-b'))).rejects.toThrow(
      /Bad username or password/i,
    );
    (await connectAsync(await tls(gatewayB, own(gatewayB), secretB))).end(true);
    await expect(connectAsync(await tls(gatewayA, own(gatewayA), 'a-has-no-secret'))).rejects.toThrow(
      /Bad username or password/i,
    );
    expect(JSON.stringify(entries)).not.toContain('not-the-secret-of-b');
  });

  it('refuses at the TLS handshake a client without a certificate or with one from another CA, counted and logged', async () => {
    const before = counter('mqtt_tls_handshakes_refused');
    expect(await connects(await tls(gatewayB, undefined, secretB))).toBe(false);
    expect(await connects(await tls(gatewayA, rogue.client(gatewayA)))).toBe(false);
    await waitFor(
      'both handshakes to be counted',
      () => counter('mqtt_tls_handshakes_refused') >= before + 2,
    );
    const logged = entries.filter((e) => e.msg.startsWith('MQTT TLS handshake refused'));
    expect(logged.length).toBeGreaterThanOrEqual(2);
    expect(logged).toContainEqual(
      expect.objectContaining({
        address: '127.0.0.1',
        code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
        msg: 'MQTT TLS handshake refused: peer did not return a certificate',
      }),
    );
  });
});

describe('listeners without TLS while client certificates are required', () => {
  it('the plain MQTT listener refuses a gateway with only its secret', async () => {
    const before = counter('mqtt_auth_refused_certificate');
    const attempt = connectAsync(cloud.mqttUrl, {
      clientId: gatewayB,
      username: gatewayB,
      password: secretB,
      reconnectPeriod: 0,
    });
    await expect(attempt).rejects.toThrow(/Not authorized/i);
    expect(counter('mqtt_auth_refused_certificate')).toBe(before + 1);
  });

  it('the WebSocket listener refuses a gateway with only its secret', async () => {
    const attempt = connectAsync(`ws://127.0.0.1:${cloud.cloud.mqttPorts.ws}`, {
      clientId: gatewayB,
      username: gatewayB,
      password: secretB,
      reconnectPeriod: 0,
    });
    await expect(attempt).rejects.toThrow(/Not authorized/i);
    expect(
      entries.some(
        (e) =>
          e.msg ===
          'MQTT connection refused: a client certificate is required (mutual TLS): connect to the TLS listener',
      ),
    ).toBe(true);
  });
});

describe('revoking or replacing the certificate of a connected gateway', () => {
  it('closes its open connection, and its certificate no longer lets it in', async () => {
    const client = await connectAsync(await tls(gatewayC, own(gatewayC)));
    const gone = closed(client);
    await provisionCli(cloud.dataDir, ['gateway', 'revoke', gatewayC]);
    await gone;
    expect(counter('mqtt_credential_disconnects')).toBe(1);
    await expect(connectAsync(await tls(gatewayC, own(gatewayC)))).rejects.toThrow(/Not authorized/i);
  });

  it('pinning another certificate closes connections made with the old one, which no longer opens it', async () => {
    const client = await connectAsync(await tls(gatewayA, own(gatewayA)));
    const gone = closed(client);
    await provisionCli(cloud.dataDir, ['gateway', 'cert', gatewayA, rogue.client(gatewayA).cert]);
    await gone;
    expect(counter('mqtt_credential_disconnects')).toBe(2);
    expect(entries.some((e) => e.msg === 'gateway disconnected: its pinned certificate was replaced')).toBe(
      true,
    );
    await expect(connectAsync(await tls(gatewayA, own(gatewayA)))).rejects.toThrow(/Not authorized/i);
  });
});

describe('metrics', () => {
  it('exports refused handshakes, refused certificates and revocation disconnects to Prometheus', async () => {
    const text = await (await apiFetch(`${cloud.apiUrl}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
    expect(value('city_mqtt_tls_handshakes_refused_total')).toBeGreaterThanOrEqual(2);
    expect(value('city_mqtt_auth_refused_certificate_total')).toBeGreaterThanOrEqual(3);
    expect(value('city_mqtt_credential_disconnects_total')).toBe(2);
    expect(value('city_mqtt_auth_refused_total')).toBeGreaterThanOrEqual(7);
  });
});
