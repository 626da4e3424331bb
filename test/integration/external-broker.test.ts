import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalBroker } from '../../cloud/broker/external-broker.ts';
import { Counters } from '../../cloud/monitoring/counters.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, getJson, silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * A city that already runs an MQTT broker (a real Mosquitto 2, MQTT 5): its gateways connect there,
 * and the platform's nodes ingest through a shared subscription. Two nodes share one InfluxDB database.
 */
const fleet = generateFleet({ seed: 77, devices: 60, devicesPerGateway: 15 });
const platform = { name: 'platform', password: 'platform-secret' };

let influxd: LocalInfluxd;
let broker: Awaited<ReturnType<typeof startMosquitto>>;
let dir: Awaited<ReturnType<typeof tempDir>>;
const nodes: TestCloud[] = [];
let city: Awaited<ReturnType<typeof streamingCity>>;

const externalEnv = (clientId: string, group = 'city-platform') => ({
  MQTT_EXTERNAL_URL: broker.url,
  MQTT_EXTERNAL_USERNAME: platform.name,
  MQTT_EXTERNAL_PASSWORD: platform.password,
  MQTT_EXTERNAL_CLIENT_ID: clientId,
  MQTT_EXTERNAL_GROUP: group,
  MQTT_EXTERNAL_CONNECTIONS: '2',
});

/** A node of the platform, knowing the fleet's gateways (their tenant comes from their credentials). */
async function startNode(env: Record<string, string>) {
  const node = await startTestCloud(influxd.url, fleet, env);
  for (const gateway of fleet.gateways) await node.provision(gateway.id);
  nodes.push(node);
  return node;
}

beforeAll(async () => {
  influxd = await startTestInfluxd();
  dir = await tempDir('external-broker');
  // Gateways authenticate at the city's broker with their own secrets; the platform has an account there.
  const secrets = new Map(fleet.gateways.map((g) => [g.id, `${g.id}-secret`]));
  broker = await startMosquitto(
    dir.path,
    platform,
    [...secrets].map(([name, password]) => ({ name, password })),
  );
  const database = `external_${process.pid}`;
  await startNode({ ...externalEnv('node-a'), INFLUX_DATABASE: database });
  await startNode({ ...externalEnv('node-b'), INFLUX_DATABASE: database });
  city = await streamingCity({
    log: silentLog,
    fleet,
    mqttUrl: broker.url,
    dataDir: join(dir.path, 'edge'),
    secrets,
  });
});

afterAll(async () => {
  await city?.stop();
  for (const node of nodes) await node.stop();
  await broker?.stop();
  await influxd?.stop();
  await dir?.remove();
});

const received = (node: TestCloud) => node.cloud.counters.get('external_mqtt_received');

describe('ingest through a city-run MQTT broker (MQTT 5 shared subscription)', () => {
  it('spreads the messages over both nodes and stores every reading once', async () => {
    const [a, b] = nodes as [TestCloud, TestCloud];
    for (let poll = 0; poll < 20; poll++) await city.pollAll();
    await city.drained();
    await expectEveryReadingStored(a.influx, city.readings());
    expect(received(a)).toBeGreaterThan(0);
    expect(received(b)).toBeGreaterThan(0);
  });

  it('keeps a node’s share at the broker while it is away, and stores it when it returns', async () => {
    const [a, b] = nodes as [TestCloud, TestCloud];
    await b.restart(async () => {
      for (let poll = 0; poll < 15; poll++) await city.pollAll();
      await city.drained();
    });
    await expectEveryReadingStored(a.influx, city.readings());
  });

  it('refuses (and keeps as a dead letter) a message from a gateway the platform has no credential for', async () => {
    const [a] = nodes as [TestCloud];
    const before = a.cloud.counters.get('external_mqtt_refused');
    // The platform account itself may publish at this broker; the platform knows no gateway by that name.
    const intruder = await connectAsync(broker.url, {
      protocolVersion: 5,
      username: platform.name,
      password: platform.password,
      clientId: 'stranger',
    });
    await intruder.publishAsync('city/v1/gateways/gw-stranger/telemetry', '{"v":1}', { qos: 1 });
    await intruder.endAsync();
    await waitFor('the refusal', () =>
      nodes.reduce((n, node) => n + node.cloud.counters.get('external_mqtt_refused'), 0) > before
        ? true
        : undefined,
    );
    const letters = await Promise.all(
      nodes.map((node) =>
        getJson<{ items: { gatewayId?: string }[] }>(`${node.apiUrl}/api/v1/region/dead-letters`),
      ),
    );
    const kept = letters.flatMap((l) => l.body.items ?? []).filter((l) => l.gatewayId === 'gw-stranger');
    expect(JSON.stringify(kept)).toContain('gateway gw-stranger has no credential');
  });

  it('sends a command through the city’s broker to the gateway, which carries it out', async () => {
    // A node alone in its group gets every message, command results included.
    const solo = await startNode({ ...externalEnv('node-solo', 'solo') });
    // Now that it knows the gateways, it learns who is online from their retained statuses again.
    await solo.restart();
    const lamp = fleet.devices.find((d) => d.kind === 'streetlight');
    if (!lamp) throw new Error('no lamp in the fleet');
    const res = await apiFetch(`${solo.apiUrl}/api/v1/devices/${lamp.id}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: { action: 'switch', on: false } }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const stop = city.stream();
    try {
      const command = await waitFor('the command to succeed', async () => {
        const { body } = await getJson<{ status: string }>(`${solo.apiUrl}/api/v1/commands/${id}`);
        return body.status === 'succeeded' ? body : undefined;
      }).catch(async (error: Error) => {
        const { body } = await getJson(`${solo.apiUrl}/api/v1/commands/${id}`);
        throw new Error(
          `${error.message}: ${JSON.stringify(body)} ${JSON.stringify(solo.cloud.counters.snapshot())}`,
        );
      });
      expect(command.status).toBe('succeeded');
    } finally {
      await stop();
    }
  });
});

describe('a message the platform could not make durable', () => {
  it('is not acknowledged, and the broker sends it again once the node is back', async () => {
    const failures = { left: 2 };
    const stored: string[] = [];
    const node = new ExternalBroker({
      url: broker.url,
      username: platform.name,
      password: platform.password,
      group: 'failing',
      clientId: 'node-failing',
      connections: 1,
      sessionExpirySeconds: 600,
      retryMs: 100,
      tenantOf: async () => 'default',
      refusal: () => undefined,
      onUplink: async (message) => {
        const text = message.payload.toString();
        // The city's gateways keep publishing too: only the probe's two messages are followed.
        if (text !== 'one' && text !== 'two') return;
        if (text === 'one' && failures.left-- > 0) throw new Error('journal cannot write');
        stored.push(text);
      },
      onRefused: () => undefined,
      onGatewayListening: () => undefined,
      onGatewayGone: () => undefined,
      log: silentLog,
      counters: new Counters(),
    });
    await node.start();
    const gateway = fleet.gateways[0]?.id as string;
    const sender = await connectAsync(broker.url, {
      protocolVersion: 5,
      username: gateway,
      password: `${gateway}-secret`,
      clientId: `${gateway}-probe`,
    });
    try {
      await sender.publishAsync(`city/v1/gateways/${gateway}/heartbeat`, 'one', { qos: 1 });
      await sender.publishAsync(`city/v1/gateways/${gateway}/heartbeat`, 'two', { qos: 1 });
      await waitFor('both messages stored', () => (stored.length >= 2 ? true : undefined));
      expect(stored).toEqual(['one', 'two']);
      expect(failures.left).toBe(-1);
    } finally {
      await sender.endAsync();
      await node.stop();
    }
  });
});
