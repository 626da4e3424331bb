import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keptTopic } from '../../cloud/dead-letters/intake.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { type RawMqtt, rawConnect } from '../helpers/raw-mqtt.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Every publish the broker refuses is counted and kept as a dead letter, including those aedes
 * refuses before any hook (a wildcard, an empty or a too deep topic), topics that are not UTF-8 and
 * bytes that are not an MQTT packet. Sent as raw packets: mqtt.js would not send them.
 */
const gw = 'gw-refusals-01';
let influxd: LocalInfluxd;
let city: TestCloud;
let secret: string;

interface Letter {
  topic: string;
  gatewayId?: string;
  rejections: { reason: string; message: string }[];
}

beforeAll(async () => {
  influxd = await startTestInfluxd();
  city = await startTestCloud(influxd.url, undefined, { MQTT_CONNECTIONS_PER_MINUTE: '10000' });
  secret = await city.provision(gw);
});

afterAll(async () => {
  await city?.stop();
  await influxd?.stop();
});

const connect = (): Promise<RawMqtt> => rawConnect(city.cloud.mqttPort, gw, secret);

async function lettersFor(reason: string): Promise<Letter[]> {
  const { body } = await getJson<{ items: Letter[] }>(`${city.apiUrl}/api/v1/dead-letters?reason=${reason}`);
  return body.items;
}

const payload = Buffer.from('{"v":1}');

describe('publishes the broker refuses before authorization', () => {
  it.each([
    ['a "#" wildcard', `${gatewayTopic(gw, 'telemetry')}/#`, '"#" in a PUBLISH topic [MQTT-3.3.2-2]'],
    ['a "+" wildcard', `city/v1/gateways/+/telemetry`, '"+" in a PUBLISH topic [MQTT-3.3.2-2]'],
    ['an empty topic', '', 'empty topic in PUBLISH [MQTT-4.7.3-1]'],
    ['a topic of 101 levels', `${'a/'.repeat(100)}b`, 'topic has more than 100 levels'],
  ])('counts and dead-letters %s, then closes the connection', async (_name, topic, reason) => {
    const client = await connect();
    const refusedBefore = city.cloud.counters.get('mqtt_publish_refused');
    expect(await client.publish(Buffer.from(topic), payload)).toBe('closed');
    expect(city.cloud.counters.get('mqtt_publish_refused')).toBe(refusedBefore + 1);
    const letter = await waitFor(`dead letter for ${JSON.stringify(topic.slice(0, 40))}`, async () =>
      (await lettersFor('publish-refused')).find(
        // A topic outside the layout is kept by its size and hash (issue 13), never as sent.
        (l) => l.rejections[0]?.message === reason && l.topic === keptTopic(topic),
      ),
    );
    expect(letter.gatewayId).toBe(gw);
  });
});

describe('topics that are not UTF-8 or carry control characters', () => {
  it('refuses a topic with a byte that is not UTF-8 as invalid-utf8', async () => {
    const client = await connect();
    const topic = Buffer.concat([Buffer.from(`city/v1/gateways/${gw}/telemetr`), Buffer.from([0xff])]);
    const before = city.cloud.counters.get('rejected_invalid-utf8');
    expect(await client.publish(topic, payload)).toBe('closed');
    expect(city.cloud.counters.get('rejected_invalid-utf8')).toBe(before + 1);
    const letter = await waitFor(
      'invalid-utf8 dead letter',
      async () => (await lettersFor('invalid-utf8'))[0],
    );
    expect(letter.rejections[0]?.message).toBe(
      'topic is not well-formed UTF-8 (or contains U+FFFD) [MQTT-1.5.3-1]',
    );
  });

  it('refuses a topic with NUL', async () => {
    const client = await connect();
    const topic = Buffer.from(`city/v1/gateways/${gw}/telemetry\u0000`);
    expect(await client.publish(topic, payload)).toBe('closed');
    await waitFor('NUL topic dead letter', async () =>
      (await lettersFor('publish-refused')).find(
        (l) => l.rejections[0]?.message === 'topic contains a NUL or control character [MQTT-1.5.3-2]',
      ),
    );
  });
});

describe('bytes that are not an MQTT packet', () => {
  it('counts and dead-letters a PUBLISH whose topic length runs past the packet', async () => {
    const client = await connect();
    const before = city.cloud.counters.get('mqtt_malformed_packets');
    // PUBLISH QoS 0, remaining length 4, topic length 200: the topic cannot be read.
    expect(await client.sendRaw(Buffer.from([0x30, 0x04, 0x00, 0xc8, 0x61, 0x62]))).toBe('closed');
    expect(city.cloud.counters.get('mqtt_malformed_packets')).toBe(before + 1);
    const letter = await waitFor(
      'malformed-packet dead letter',
      async () => (await lettersFor('malformed-packet'))[0],
    );
    expect(letter).toMatchObject({ topic: keptTopic(''), gatewayId: gw });
    expect(letter.rejections[0]?.message).toBe('not a valid MQTT packet: Cannot parse topic');
  });

  it('counts a packet with reserved flag bits set [MQTT-2.2.2-2]', async () => {
    const client = await connect();
    const before = city.cloud.counters.get('mqtt_malformed_packets');
    expect(await client.sendRaw(Buffer.from([0x82, 0x00]))).toBe('closed');
    expect(city.cloud.counters.get('mqtt_malformed_packets')).toBe(before + 1);
  });
});

describe('a valid publish beside them', () => {
  it('is acknowledged and not counted as refused', async () => {
    const client = await connect();
    const refused = city.cloud.counters.get('mqtt_publish_refused');
    const status = { v: 1, gatewayId: gw, state: 'online', ts: new Date().toISOString() };
    expect(
      await client.publish(Buffer.from(gatewayTopic(gw, 'status')), Buffer.from(JSON.stringify(status))),
    ).toBe('acked');
    expect(city.cloud.counters.get('mqtt_publish_refused')).toBe(refused);
    client.close();
  });
});
