import { connect, connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { withDevices } from '../helpers/fleet.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { waitFor } from '../helpers/wait.ts';

const generated = generateFleet({ seed: 71, devices: 10, devicesPerGateway: 5 });
// Each gateway's own lamp, which the batches below report.
const fleet = withDevices(
  generated,
  generated.gateways.map((g) => ({ id: `lamp-sec-${g.id}`, kind: 'streetlight', gatewayId: g.id })),
);
const [gatewayA, gatewayB] = fleet.gateways.map((g) => g.id) as [string, string];
let influxd: LocalInfluxd;
let cloud: TestCloud;
const secrets: Record<string, string> = {};

const batch = (gatewayId: string, extra = '') =>
  JSON.stringify({
    v: 1,
    gatewayId,
    sentAt: new Date().toISOString(),
    batchId: `b-${Math.random()}${extra}`,
    readings: [
      {
        deviceId: `lamp-sec-${gatewayId}`,
        kind: 'streetlight',
        ts: new Date().toISOString(),
        metrics: { activePower: 12 },
      },
    ],
  });

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet, {
    MQTT_WS_PORT: '0',
    MQTT_MAX_PAYLOAD_BYTES: '4096',
    MQTT_MESSAGES_PER_SECOND: '5',
  });
  for (const g of fleet.gateways) secrets[g.id] = await cloud.provision(g.id);
});

afterAll(async () => {
  await cloud?.stop();
  await influxd?.stop();
});

describe('MQTT over WebSocket', () => {
  it('accepts a gateway with its secret when no client CA is configured', async () => {
    const client = await connectAsync(`ws://127.0.0.1:${cloud.cloud.mqttPorts.ws}`, {
      clientId: gatewayB,
      username: gatewayB,
      password: secrets[gatewayB],
      reconnectPeriod: 0,
    });
    await client.publishAsync(gatewayTopic(gatewayB, 'telemetry'), batch(gatewayB), { qos: 1 });
    await client.endAsync();
    expect((await getJson(`${cloud.apiUrl}/api/v1/devices/lamp-sec-${gatewayB}`)).status).toBe(200);
  });
});

describe('a second session with a gateway id', () => {
  it('closes the first session and says so', async () => {
    const connect = () =>
      connectAsync(cloud.mqttUrl, {
        clientId: gatewayB,
        username: gatewayB,
        password: secrets[gatewayB],
        reconnectPeriod: 0,
      });
    const first = await connect();
    const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const second = await connect();
    await closed;
    expect(cloud.cloud.counters.get('mqtt_session_takeovers')).toBe(1);
    await second.endAsync();
  });
});

describe('limits', () => {
  const connectA = () =>
    connectAsync(cloud.mqttUrl, {
      clientId: gatewayA,
      username: gatewayA,
      password: secrets[gatewayA],
      reconnectPeriod: 0,
    });

  it('disconnects a gateway that sends a packet over the size limit and keeps its start as a dead letter', async () => {
    const client = await connectA();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(gatewayTopic(gatewayA, 'telemetry'), batch(gatewayA, 'x'.repeat(10_000)), { qos: 1 });
    await closed;
    expect(cloud.cloud.counters.get('mqtt_publish_too_large')).toBe(1);
    const { body } = await getJson<{ items: { rejections: { reason: string; message: string }[] }[] }>(
      `${cloud.apiUrl}/api/v1/dead-letters?reason=publish-refused`,
    );
    expect(body.items.some((l) => /exceeds 4096/.test(l.rejections[0]?.message ?? ''))).toBe(true);
  });

  it('disconnects a gateway that sends faster than its message rate', async () => {
    const client = await connectA();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    for (let i = 0; i < 30; i++) client.publish(gatewayTopic(gatewayA, 'heartbeat'), '{}', { qos: 1 });
    await closed;
    expect(cloud.cloud.counters.get('mqtt_publish_rate_limited')).toBeGreaterThanOrEqual(1);
  });

  it('refuses connections from an address that connects too often', async () => {
    const strict = await startTestCloud(influxd.url, fleet, { MQTT_CONNECTIONS_PER_MINUTE: '3' });
    try {
      const secret = await strict.provision(gatewayA);
      // Resolves true on CONNACK, false when the broker closes the connection without one.
      const attempt = () =>
        new Promise<boolean>((resolve) => {
          let connected = false;
          const client = connect(strict.mqttUrl, {
            clientId: gatewayA,
            username: gatewayA,
            password: secret,
            reconnectPeriod: 0,
          });
          client.on('error', () => undefined);
          client.once('connect', () => {
            connected = true;
            client.end(true);
          });
          client.once('close', () => resolve(connected));
        });
      const results: boolean[] = [];
      for (let i = 0; i < 4; i++) results.push(await attempt());
      expect(results).toEqual([true, true, true, false]);
      await waitFor(
        'the refusal to be counted',
        () => strict.cloud.counters.get('mqtt_connections_rate_limited') >= 1,
      );
    } finally {
      await strict.stop();
    }
  });
});
