import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { type RawMqtt, rawConnect } from '../helpers/raw-mqtt.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Fuzzing at the byte level: topics and payloads as arbitrary bytes (not only valid strings), sent
 * as hand-built PUBLISH packets over a real MQTT connection into a real cloud and InfluxDB. Nothing
 * crashes; every publish is either acknowledged and applied, or counted and dead-lettered; and
 * nothing is stored altered: every stored device id is, byte for byte, one that was sent in a
 * well-formed payload.
 */
const gw = 'gw-bytes-01';
const prefix = 'fz-';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
let influxd: LocalInfluxd;
let city: TestCloud;
let secret: string;
let client: RawMqtt | undefined;
let batches = 0;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  city = await startTestCloud(influxd.url, undefined, {
    MQTT_CONNECTIONS_PER_MINUTE: '100000',
    MQTT_MESSAGES_PER_SECOND: '100000',
    // Arbitrary device ids are stored only when the town learns devices: the mode in which a
    // rewritten byte would become a stored id (by default every such id is refused, unknown-device).
    LEARN_UNPROVISIONED_DEVICES: 'true',
  });
  secret = await city.provision(gw);
});

afterAll(async () => {
  client?.close();
  await city?.stop();
  await influxd?.stop();
});

async function connected(): Promise<RawMqtt> {
  if (client && !client.closed) return client;
  client = await rawConnect(city.cloud.mqttPort, gw, secret);
  return client;
}

/** Bytes known to trip decoders: lone continuation, truncated and overlong sequences, surrogates, NUL, quote, backslash. */
const trickyBytes = fc.constantFrom(
  [0x80],
  [0xc3],
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xef, 0xbf, 0xbd],
  [0xef, 0xbb, 0xbf],
  [0x00],
  [0x22],
  [0x5c],
  [0xc3, 0xbc],
  [0xf0, 0x9f, 0x92, 0xa1],
);
const someBytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => [...b]),
  trickyBytes,
  fc.array(fc.integer({ min: 0x61, max: 0x7a }), { minLength: 1, maxLength: 6 }),
);

/** A telemetry batch of one street light reading whose device id is `fz-` + the given bytes, unescaped. */
function telemetry(idBytes: readonly number[]): Buffer {
  const ts = new Date().toISOString();
  const head = `{"v":1,"gatewayId":"${gw}","sentAt":"${ts}","batchId":"fz-${++batches}","readings":[{"deviceId":"${prefix}`;
  const tail = `","kind":"streetlight","ts":"${ts}","metrics":{"activePower":1}}]}`;
  return Buffer.concat([Buffer.from(head), Buffer.from(idBytes), Buffer.from(tail)]);
}

/** Replaces or inserts `bytes` at `at` (modulo the length). */
function splice(whole: Buffer, at: number, bytes: readonly number[], replace: boolean): Buffer {
  const i = whole.length === 0 ? 0 : at % whole.length;
  return Buffer.concat([
    whole.subarray(0, i),
    Buffer.from(bytes),
    whole.subarray(replace ? i + bytes.length : i),
  ]);
}

const validTopic = Buffer.from(gatewayTopic(gw, 'telemetry'));
const topicArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(validTopic) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat(), someBytes, fc.boolean())
      .map(([at, bytes, replace]) => splice(validTopic, at, bytes, replace)),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('#', '+', `${gatewayTopic(gw, 'telemetry')}/#`, 'city/v1/gateways/+/telemetry', '')
      .map((t) => Buffer.from(t)),
  },
);
const payloadArb = fc.oneof(
  { weight: 6, arbitrary: someBytes.map(telemetry) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(someBytes, fc.nat(), someBytes, fc.boolean())
      .map(([id, at, bytes, replace]) => splice(telemetry(id), at, bytes, replace)),
  },
  {
    weight: 1,
    arbitrary: someBytes.map((id) =>
      Buffer.from(
        telemetry(id).toString('latin1').replace('"kind":', '"deviceId":"fz-twice","kind":'),
        'latin1',
      ),
    ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
);

/** The device id in a payload, if the payload is well-formed UTF-8 JSON with one reading. */
function sentId(payload: Buffer): string | undefined {
  try {
    const json = JSON.parse(utf8.decode(payload)) as { readings?: { deviceId?: unknown }[] };
    const id = json.readings?.[0]?.deviceId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

const counter = (name: string) => city.cloud.counters.get(name);
const accepted = new Set<string>();
let letters = 0;

describe('topics and payloads as bytes, over MQTT into a real cloud', () => {
  it('never crashes, applies or dead-letters every publish, and never rewrites a byte', async () => {
    await fc.assert(
      fc.asyncProperty(topicArb, payloadArb, async (topic, payload) => {
        const mqtt = await connected();
        const before = {
          letters: counter('dead_letters'),
          readings: counter('readings_accepted'),
          duplicates: counter('duplicate_batches'),
          utf8: counter('rejected_invalid-utf8'),
          refused: counter('rejected_publish-refused'),
        };
        const outcome = await mqtt.publish(topic, payload);
        const delta = (name: keyof typeof before, now: number) => now - before[name];
        const lettered = delta('letters', counter('dead_letters'));
        const applied = delta('readings', counter('readings_accepted'));
        const what = `topic ${topic.toString('hex')} payload ${payload.toString('hex').slice(0, 400)}`;
        if (outcome === 'closed') {
          // Refused by the broker: counted once and dead-lettered, under one reason.
          expect(lettered, what).toBe(1);
          expect(applied, what).toBe(0);
          expect(
            delta('utf8', counter('rejected_invalid-utf8')) +
              delta('refused', counter('rejected_publish-refused')),
            what,
          ).toBe(1);
          letters++;
          return;
        }
        if (applied > 0) {
          // Applied: the topic and payload were exactly well-formed, and the id stored is the id sent.
          expect(lettered, what).toBe(0);
          expect(topic.equals(validTopic), what).toBe(true);
          const id = sentId(payload);
          expect(id, `accepted a payload that is not well-formed UTF-8 JSON: ${what}`).toBeDefined();
          accepted.add(id as string);
        } else {
          expect(lettered + delta('duplicates', counter('duplicate_batches')), what).toBeGreaterThan(0);
          if (lettered > 0) letters++;
          if (topic.equals(validTopic) && sentId(payload) === undefined && utf8Fails(payload))
            expect(delta('utf8', counter('rejected_invalid-utf8')), what).toBe(1);
        }
      }),
      { numRuns: 200 },
    );
    expect(accepted.size).toBeGreaterThan(10);
    expect(letters).toBeGreaterThan(10);
  }, 120_000);

  it('keeps one dead letter for every publish it refused or rejected', async () => {
    await waitFor('every refusal kept as a dead letter', async () => {
      const { body } = await getJson<{ total: number }>(`${city.apiUrl}/api/v1/dead-letters?limit=1`);
      return body.total === letters;
    });
  });

  it('stores exactly the device ids it accepted, byte for byte, in the registry and in InfluxDB', async () => {
    const { status, body } = await getJson<{ items: { id: string; provisioned: boolean }[] }>(
      `${city.apiUrl}/api/v1/devices?limit=1000`,
    );
    expect(status, JSON.stringify(body)).toBe(200);
    // Every learned device, whatever its id: a splice may have cut the id's prefix (fzcdeahq).
    const registered = body.items.filter((d) => !d.provisioned).map((d) => d.id);
    expect(registered.sort(), 'device ids in the registry').toEqual([...accepted].sort());
    const provisioned = new Set(body.items.filter((d) => d.provisioned).map((d) => d.id));
    const tagged = await waitFor('every accepted device in InfluxDB', async () => {
      const [series] = await city.influx.select('SHOW TAG VALUES FROM "streetlight" WITH KEY = "device"');
      const ids = (series?.values ?? []).map((row) => String(row[1])).filter((id) => !provisioned.has(id));
      return ids.length >= accepted.size ? ids : undefined;
    });
    expect(tagged.sort(), 'device tags in InfluxDB').toEqual([...accepted].sort());
    for (const id of accepted) expect(Buffer.from(id, 'utf8').toString('utf8')).toBe(id);
  });

  it('still takes a valid batch after all of it', async () => {
    const mqtt = await connected();
    expect(await mqtt.publish(validTopic, telemetry([0x6f, 0x6b]))).toBe('acked');
  });
});

function utf8Fails(payload: Buffer): boolean {
  try {
    utf8.decode(payload);
    return false;
  } catch {
    return true;
  }
}
