import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { issueCredentials } from '../../cloud/broker/credentials.ts';
import { brokerFeature } from '../../cloud/broker/feature.ts';
import { GatewayOutbound } from '../../cloud/broker/outbound.ts';
import { Counters } from '../../cloud/monitoring/counters.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { silentLog } from '../helpers/cloud.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const gateway = 'gw-ahead';
const topic = gatewayTopic(gateway, 'telemetry');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A real aedes broker (the cloud's, with its hooks) on a free port whose storage is the test: each
 * uplink's promise (the PUBACK waits for it) resolves when the test says `store(payload)`. `events`
 * lists what happened, in order: `uplink m2` (decoded and applied), `stored m1` (durable).
 */
async function brokerWithStorage(readAhead: number, takesMessages = () => true) {
  const dir = await tempDir('read-ahead');
  cleanups.push(() => dir.remove());
  const credentialsFile = join(dir.path, 'gateway-credentials.json');
  const secrets = await issueCredentials(credentialsFile, [gateway]);
  const events: string[] = [];
  const waiting = new Map<string, () => void>();
  const counters = new Counters();
  const feature = brokerFeature({
    credentialsFile,
    certificateRequired: false,
    limits: {
      maxPayloadBytes: 1_048_576,
      connectionsPerMinutePerAddress: 1_000,
      messagesPerSecondPerGateway: 1_000,
      readAhead,
    },
    log: silentLog,
    counters,
    now: () => new Date(),
    outbound: new GatewayOutbound(silentLog),
    onRefused: () => undefined,
    onUplink: (message) =>
      new Promise<void>((resolve) => {
        const name = message.payload.toString();
        events.push(`uplink ${name}`);
        waiting.set(name, () => {
          events.push(`stored ${name}`);
          resolve();
        });
      }),
    gateways: {
      onGatewayListening: () => undefined,
      onGatewayGone: () => undefined,
      onDelivered: () => undefined,
    },
    tenants: {
      refusal: () => undefined,
      gatewayOverQuota: () => undefined,
      messagesPerSecond: () => 1_000,
      counters: () => undefined,
      takesMessages,
    },
  });
  await feature.start();
  cleanups.push(() => feature.stop());
  const port = await feature.broker.listen({ kind: 'tcp', port: 0, host: '127.0.0.1' }, 'MQTT_PORT');
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: gateway,
    username: gateway,
    password: secrets.get(gateway),
    reconnectPeriod: 0,
  });
  cleanups.push(() => client.endAsync(true));
  const uplinked = (name: string) => waitFor(`uplink ${name}`, () => events.includes(`uplink ${name}`));
  return {
    events,
    counters,
    /**
     * Publishes at QoS 1 in one write, so that the broker reads them at once (aedes reads a client's
     * socket again only once every packet of its last read is handled, or at the next bytes when one
     * packet was in hand); each promise resolves at its PUBACK.
     */
    publish: async (...names: string[]) => {
      client.stream.cork();
      const acks = names.map((name) => client.publishAsync(topic, name, { qos: 1 }));
      await new Promise((resolve) => setImmediate(resolve));
      client.stream.uncork();
      return acks;
    },
    uplinked,
    /** Waits until the broker holds bytes of the client it has not read (a publish waits to be read). */
    unread: () =>
      waitFor('bytes waiting in the broker socket', () => {
        const conn = (
          feature.broker.aedes as unknown as {
            clients: Record<string, { conn?: { readableLength?: number } }>;
          }
        ).clients[gateway]?.conn;
        return (conn?.readableLength ?? 0) > 0;
      }),
    store: (name: string) => {
      const resolve = waiting.get(name);
      if (!resolve) throw new Error(`${name} was not handed to storage`);
      resolve();
    },
  };
}

describe('the broker reads ahead of publishes waiting for storage (MQTT_READ_AHEAD)', () => {
  it("decodes a gateway's next messages while the earlier ones wait for storage; PUBACKs wait for storage and keep the publishes' order", async () => {
    const b = await brokerWithStorage(8);
    const acked: string[] = [];
    const track = (name: string) => (ack: Promise<unknown> | undefined) => ack?.then(() => acked.push(name));
    const [m1, m2] = await b.publish('m1', 'm2');
    const first = track('m1')(m1);
    const second = track('m2')(m2);
    await b.uplinked('m2');
    const [m3] = await b.publish('m3');
    const third = track('m3')(m3);
    await b.uplinked('m3');
    expect(b.events).toEqual(['uplink m1', 'uplink m2', 'uplink m3']);
    expect(acked).toEqual([]);
    // Stored out of order (as a dead letter's write can make it), acknowledged in order (MQTT 3.1.1, 4.6).
    b.store('m3');
    b.store('m2');
    b.store('m1');
    await Promise.all([first, second, third]);
    expect(acked).toEqual(['m1', 'm2', 'm3']);
    expect(b.counters.get('mqtt_publish_read_ahead')).toBe(3);
  });

  it('reads a gateway on only once a message of its last read is stored when read-ahead is 0', async () => {
    const b = await brokerWithStorage(0);
    const acks = await b.publish('m1', 'm2');
    await b.uplinked('m2');
    acks.push(...(await b.publish('m3')));
    await b.unread();
    b.store('m1');
    await b.uplinked('m3');
    expect(b.events).toEqual(['uplink m1', 'uplink m2', 'stored m1', 'uplink m3']);
    b.store('m2');
    b.store('m3');
    await Promise.all(acks);
    expect(b.counters.get('mqtt_publish_read_ahead')).toBe(0);
  });

  it("applies nothing of a gateway and reads nothing more of it while the tenant's journal has no room, then goes on in order", async () => {
    let room = false;
    const b = await brokerWithStorage(8, () => room);
    const [m1] = await b.publish('m1');
    await waitFor('m1 waiting for room', () => b.counters.get('mqtt_publish_waited_for_room') === 1);
    // Held: aedes alone would read the next bytes as they come (one publish in hand); it does not.
    const [m2] = await b.publish('m2');
    await b.unread();
    expect(b.events).toEqual([]);
    room = true;
    await b.uplinked('m1');
    b.store('m1');
    await b.uplinked('m2');
    expect(b.events).toEqual(['uplink m1', 'stored m1', 'uplink m2']);
    b.store('m2');
    await Promise.all([m1, m2]);
    expect(b.counters.get('mqtt_publish_waited_for_room')).toBe(1);
    expect(b.counters.get('mqtt_publish_read_ahead')).toBe(1);
  });

  it('reads ahead of at most MQTT_READ_AHEAD messages of a gateway at a time', async () => {
    const b = await brokerWithStorage(1);
    const acks = await b.publish('m1', 'm2', 'm3');
    await b.uplinked('m3');
    acks.push(...(await b.publish('m4')));
    await b.unread();
    for (const name of ['m1', 'm2', 'm3']) b.store(name);
    await b.uplinked('m4');
    expect(b.events).toEqual([
      'uplink m1',
      'uplink m2',
      'uplink m3',
      'stored m1',
      'stored m2',
      'stored m3',
      'uplink m4',
    ]);
    b.store('m4');
    await Promise.all(acks);
    // m1 was read past, then m4 (by then m1 was stored).
    expect(b.counters.get('mqtt_publish_read_ahead')).toBe(2);
  });
});
