import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connectAsync, type ErrorWithReasonCode, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantDatabase } from '../../cloud/tenants/database-name.ts';
import type { FleetFile } from '../../shared/fleet.ts';
import { downlinkChannels, gatewayTopic, uplinkChannels } from '../../shared/topics.ts';
import { rawConnect } from '../helpers/raw-mqtt.ts';
import { asRegion, karlovyVary, loket, type Town } from '../helpers/tenants.ts';
import { waitFor } from '../helpers/wait.ts';
import { type Region, startRegion } from './region.ts';
import { type Snapshot, tenantSnapshot } from './snapshot.ts';

const run = promisify(execFile);

/** The fleet with one more lamp on `gatewayId` (a gateway added to the fleet if it has none there). */
function withLampOn(fleet: FleetFile, gatewayId: string, lamp: string): FleetFile {
  const [first] = fleet.gateways;
  const { district, location } = first as { district: string; location: { lat: number; lon: number } };
  const gateways = fleet.gateways.some((g) => g.id === gatewayId)
    ? fleet.gateways
    : [...fleet.gateways, { id: gatewayId, district, location }];
  return {
    ...fleet,
    gateways,
    devices: [...fleet.devices, { id: lamp, kind: 'streetlight', gatewayId, district, location }],
  };
}

/** A's gateway, its credential A's, listed (by mistake or malice) in B's fleet file too. */
const astrayOfA = 'kv-gw-astray';
/** B's gateway, its credential B's, listed in A's fleet file too. */
const gatewayOfB = loket.fleet.gateways[0]?.id as string;
const gatewayOfA = karlovyVary.fleet.gateways[0]?.id as string;
const a: Town = { id: karlovyVary.id, fleet: withLampOn(karlovyVary.fleet, gatewayOfB, 'kv-lamp-on-b') };
const b: Town = { id: loket.id, fleet: withLampOn(loket.fleet, astrayOfA, 'lo-lamp-astray') };
const lampsOfB = loket.fleet.devices.filter((d) => d.kind === 'streetlight').map((d) => d.id) as [
  string,
  string,
  ...string[],
];
const lampOfA = karlovyVary.fleet.devices.find((d) => d.kind === 'streetlight' && d.gatewayId === gatewayOfA)
  ?.id as string;

let region: Region;

const batch = (gatewayId: string, deviceId: string, voltage = 231) =>
  JSON.stringify({
    v: 1,
    gatewayId,
    sentAt: new Date().toISOString(),
    batchId: `b-${deviceId}-${Math.random()}`,
    readings: [{ deviceId, kind: 'streetlight', ts: new Date().toISOString(), metrics: { voltage } }],
  });

function connectGateway(gatewayId: string, options: Parameters<typeof connectAsync>[1] = {}) {
  return connectAsync(region.cloud.mqttUrl, {
    clientId: gatewayId,
    username: gatewayId,
    password: region.secrets.get(gatewayId),
    reconnectPeriod: 0,
    ...options,
  });
}

/** Every message a client receives, in order. */
function received(client: MqttClient): { topic: string; text: string }[] {
  const messages: { topic: string; text: string }[] = [];
  client.on('message', (topic, payload) => messages.push({ topic, text: payload.toString() }));
  return messages;
}

/** The QoS the broker grants a subscription: 128 is a refusal [MQTT-3.9.3] (mqtt.js rejects with the SUBACK). */
const granted = (client: MqttClient, filter: string) =>
  client.subscribeAsync(filter, { qos: 1 }).then(
    ([grant]) => grant?.qos,
    (error: { packet?: { granted?: number[] } }) => error.packet?.granted?.[0],
  );

const counter = (name: string, tenant?: string) =>
  tenant === undefined
    ? region.cloud.cloud.counters.get(name)
    : (region.cloud.cloud.cells.get(tenant)?.counters.get(name) ?? 0);

/** Point counts of every measurement in a tenant's InfluxDB database. */
async function pointsIn(tenant: string) {
  const database = tenantDatabase(region.cloud.influx.settings.database, tenant);
  return region.cloud.influx.withDatabase(database).select('SELECT COUNT(*) FROM /.*/');
}

async function devicesIn(tenant: string) {
  const database = tenantDatabase(region.cloud.influx.settings.database, tenant);
  const series = await region.cloud.influx
    .withDatabase(database)
    .select('SHOW TAG VALUES WITH KEY = "device"');
  return new Set(series.flatMap((s) => s.values.map((row) => String(row[1]))));
}

const apiOf = (tenant: string, path: string, init: RequestInit = {}) =>
  asRegion(region.cloud.apiUrl, tenant, path, init).then(async (res) => {
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  });

beforeAll(async () => {
  region = await startRegion([a, b], {
    credentials: { [astrayOfA]: a.id, [gatewayOfB]: b.id },
    files: {
      // B's channels: its own alert topic, and two aimed at A (refused by the platform).
      [b.id]: {
        'notifications.json': [
          { name: 'mqtt', type: 'mqtt', topic: `city/v1/tenants/${b.id}/alerts` },
          { name: 'into-a', type: 'mqtt', topic: `city/v1/tenants/${a.id}/alerts` },
          { name: 'into-a-gateway', type: 'mqtt', topic: gatewayTopic(gatewayOfA, 'commands') },
        ],
      },
    },
    env: { MQTT_CONNECTIONS_PER_MINUTE: '100000' },
  });
  await apiOf(b.id, '/api/v1/rules', {
    method: 'POST',
    body: JSON.stringify({
      id: 'lo-notify',
      name: 'Loket lamp voltage',
      severity: 'minor',
      target: { kind: 'streetlight', devices: [lampsOfB[1]] },
      condition: { type: 'threshold', metric: 'voltage', op: '>', value: 1 },
      channels: ['mqtt', 'into-a', 'into-a-gateway'],
    }),
  });
  // B has readings and a retained configuration before anyone probes it.
  const gateway = await connectGateway(gatewayOfB);
  await gateway.publishAsync(gatewayTopic(gatewayOfB, 'telemetry'), batch(gatewayOfB, lampsOfB[0]), {
    qos: 1,
  });
  await gateway.endAsync();
  await waitFor("B's lamp on the map as reporting", async () => {
    const lamp = await apiOf(b.id, `/api/v1/devices/${lampsOfB[0]}`);
    return lamp.state === 'ok';
  });
  await apiOf(b.id, `/api/v1/gateways/${gatewayOfB}/config`, {
    method: 'PUT',
    body: JSON.stringify({ reportingIntervalS: 40 }),
  });
  await region.cloud.cloud.flush();
}, 60_000);

afterAll(async () => {
  await region?.stop();
});

describe("MQTT: tenant A's gateway against tenant B", () => {
  let before: Snapshot;
  let pointsBefore: Awaited<ReturnType<typeof pointsIn>>;

  it('refuses a publish on every topic pattern of shared/topics.ts under B’s gateway id', async () => {
    before = await tenantSnapshot(region.cloud.apiUrl, b.id);
    pointsBefore = await pointsIn(b.id);
    expect(JSON.stringify(pointsBefore)).toContain('streetlight');
    const refused = counter('mqtt_publish_refused');
    const channels = [...uplinkChannels, ...downlinkChannels];
    for (const channel of channels) {
      const attacker = await rawConnect(
        region.cloud.cloud.mqttPort,
        gatewayOfA,
        region.secrets.get(gatewayOfA) as string,
      );
      const outcome = await attacker.publish(
        Buffer.from(gatewayTopic(gatewayOfB, channel)),
        Buffer.from(batch(gatewayOfB, lampsOfB[0], 999)),
      );
      expect(outcome, channel).toBe('closed');
    }
    expect(counter('mqtt_publish_refused')).toBe(refused + channels.length);
  });

  it('refuses the same at QoS 0 and retained (mosquitto_pub), and a last will on B’s status topic', async () => {
    const refused = counter('mqtt_publish_refused');
    await run('mosquitto_pub', [
      ...['-h', '127.0.0.1', '-p', String(region.cloud.cloud.mqttPort)],
      ...['-i', gatewayOfA, '-u', gatewayOfA, '-P', region.secrets.get(gatewayOfA) as string],
      ...['-q', '0', '-r', '-t', gatewayTopic(gatewayOfB, 'status'), '-m', '{"v":1,"state":"online"}'],
    ]);
    await waitFor('the QoS 0 publish refused', () => counter('mqtt_publish_refused') === refused + 1);
    const willing = await connectGateway(gatewayOfA, {
      will: {
        topic: gatewayTopic(gatewayOfB, 'status'),
        payload: Buffer.from(JSON.stringify({ v: 1, gatewayId: gatewayOfB, state: 'online' })),
        qos: 1,
        retain: true,
      },
    });
    willing.stream.destroy(); // gone without DISCONNECT: the broker publishes the will, if allowed
    await waitFor('the last will refused', () => counter('mqtt_publish_refused') === refused + 2);
  });

  it('leaves B’s registry, dead letters and InfluxDB database as they were', async () => {
    await region.cloud.cloud.flush();
    const after = await tenantSnapshot(region.cloud.apiUrl, b.id);
    for (const [path, answer] of Object.entries(before)) expect(after[path], path).toEqual(answer);
    expect(await pointsIn(b.id)).toEqual(pointsBefore);
  });

  it('refuses every subscription to B’s topics and to wildcards; nothing of B reaches A', async () => {
    const attacker = await connectGateway(gatewayOfA);
    const seen = received(attacker);
    const filters = [
      'city/v1/#',
      '#',
      'city/v1/gateways/+/commands',
      'city/v1/gateways/+/config',
      gatewayTopic(gatewayOfB, 'commands'),
      gatewayTopic(gatewayOfB, 'config'),
      gatewayTopic(gatewayOfB, 'telemetry'),
      `city/v1/tenants/${b.id}/#`,
      `city/v1/tenants/${b.id}/alerts`,
      'city/v1/tenants/+/alerts',
      '$SYS/#',
    ];
    for (const filter of filters) expect(await granted(attacker, filter), filter).toBe(128);
    expect(await granted(attacker, gatewayTopic(gatewayOfA, 'commands'))).toBe(1);

    // B's gateway, listening: the cloud sends it a command and a configuration, and B's alert goes out.
    const victim = await connectGateway(gatewayOfB);
    const toB = received(victim);
    await victim.subscribeAsync([gatewayTopic(gatewayOfB, 'commands'), gatewayTopic(gatewayOfB, 'config')], {
      qos: 1,
    });
    const command = await apiOf(b.id, `/api/v1/devices/${lampsOfB[0]}/commands`, {
      method: 'POST',
      body: JSON.stringify({ command: { action: 'setDimming', level: 30 } }),
    });
    await apiOf(b.id, `/api/v1/gateways/${gatewayOfB}/config`, {
      method: 'PUT',
      body: JSON.stringify({ reportingIntervalS: 50 }),
    });
    const sent = counter('notifications_sent', b.id);
    await victim.publishAsync(gatewayTopic(gatewayOfB, 'telemetry'), batch(gatewayOfB, lampsOfB[1]), {
      qos: 1,
    });
    await waitFor(
      'B’s gateway given its command and configuration',
      () =>
        toB.some((m) => m.text.includes(command.id as string)) &&
        toB.some((m) => m.text.includes('"reportingIntervalS":50')),
    );
    await waitFor('B’s alert published', () => counter('notifications_sent', b.id) > sent);
    // B's channels aimed at A were refused by the platform, not published.
    await waitFor('B’s channels into A refused', () => counter('notifications_failed', b.id) >= 2);

    // Then A's own command: the broker delivers to a client in order, so B's would have come first.
    const ofA = await apiOf(a.id, `/api/v1/devices/${lampOfA}/commands`, {
      method: 'POST',
      body: JSON.stringify({ command: { action: 'setDimming', level: 60 } }),
    });
    await waitFor('A’s gateway given its own command', () => seen.length > 0);
    expect(seen.map((m) => m.topic)).toEqual([gatewayTopic(gatewayOfA, 'commands')]);
    expect(seen[0]?.text).toContain(ofA.id as string);
    await attacker.endAsync();
    await victim.endAsync();
  });

  it('refuses A’s gateway secret under B’s gateway id', async () => {
    const refused = await connectAsync(region.cloud.mqttUrl, {
      clientId: gatewayOfB,
      username: gatewayOfB,
      password: region.secrets.get(gatewayOfA),
      reconnectPeriod: 0,
    }).catch((error: ErrorWithReasonCode) => error);
    expect((refused as ErrorWithReasonCode).code).toBe(4);
  });

  it('refuses mosquitto_sub on B’s topics and wildcards', async () => {
    for (const filter of ['city/v1/#', gatewayTopic(gatewayOfB, 'commands'), `city/v1/tenants/${b.id}/#`]) {
      const result = await run('mosquitto_sub', [
        ...['-h', '127.0.0.1', '-p', String(region.cloud.cloud.mqttPort)],
        ...['-i', gatewayOfA, '-u', gatewayOfA, '-P', region.secrets.get(gatewayOfA) as string],
        ...['-t', filter, '-C', '1', '-W', '20'],
      ]).then(
        (ok) => ok.stderr,
        (error: { stderr: string }) => error.stderr,
      );
      expect(result, filter).toMatch(/All subscription requests were denied/);
    }
  });
});

describe('gateways listed in another tenant’s fleet file', () => {
  it('keeps what A’s gateway sends for a device B lists: dead-lettered in A, nothing in B', async () => {
    const device = `/api/v1/devices/lo-lamp-astray`;
    const bDeviceBefore = await apiOf(b.id, device);
    const stray = await connectGateway(astrayOfA);
    await stray.publishAsync(gatewayTopic(astrayOfA, 'telemetry'), batch(astrayOfA, 'lo-lamp-astray'), {
      qos: 1,
    });
    await stray.endAsync();
    const letters = (await apiOf(a.id, `/api/v1/dead-letters?gateway=${astrayOfA}`)).items as {
      rejections: { reason: string }[];
    }[];
    expect(letters.flatMap((l) => l.rejections.map((r) => r.reason))).toEqual(['unknown-device']);
    expect((await apiOf(b.id, `/api/v1/dead-letters?gateway=${astrayOfA}`)).total).toBe(0);
    expect(await apiOf(b.id, device)).toEqual(bDeviceBefore);
    await region.cloud.cloud.flush();
    expect(await devicesIn(b.id)).not.toContain('lo-lamp-astray');
    expect(await devicesIn(a.id)).not.toContain('lo-lamp-astray');
  });

  it('never sends A’s configuration or command to B’s gateway that A’s fleet file lists', async () => {
    const victim = await connectGateway(gatewayOfB);
    const toB = received(victim);
    await victim.subscribeAsync([gatewayTopic(gatewayOfB, 'commands'), gatewayTopic(gatewayOfB, 'config')], {
      qos: 1,
    });
    // B's retained configuration arrives first; then nothing of A's.
    await waitFor('B’s retained configuration', () => toB.length > 0);
    const refused = counter('outbound_refused_other_tenant');
    await apiOf(a.id, `/api/v1/gateways/${gatewayOfB}/config`, {
      method: 'PUT',
      body: JSON.stringify({ reportingIntervalS: 7 }),
    });
    expect(counter('outbound_refused_other_tenant')).toBe(refused + 1);
    const ofA = await apiOf(a.id, '/api/v1/devices/kv-lamp-on-b/commands', {
      method: 'POST',
      body: JSON.stringify({ command: { action: 'setDimming', level: 10 } }),
    });
    // B's own command afterwards: delivered in order, after anything sent before it.
    const ofB = await apiOf(b.id, `/api/v1/devices/${lampsOfB[0]}/commands`, {
      method: 'POST',
      body: JSON.stringify({ command: { action: 'setDimming', level: 20 } }),
    });
    await waitFor('B’s gateway given B’s command', () => toB.some((m) => m.text.includes(ofB.id as string)));
    expect(toB.filter((m) => m.text.includes('"reportingIntervalS":7'))).toEqual([]);
    expect(toB.filter((m) => m.text.includes(ofA.id as string) || m.text.includes('kv-lamp-on-b'))).toEqual(
      [],
    );
    expect((await apiOf(a.id, `/api/v1/commands/${ofA.id}`)).status).toBe('pending');
    await victim.endAsync();
  });
});
