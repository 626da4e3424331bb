import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { captureLog } from '../helpers/log-capture.ts';

/**
 * The broker's logs name a client only by a provisioned gateway id and a topic only when it is in
 * the layout; what else a client chose (a client id, a username, a topic, which may hold a plate or
 * a MAC address) is logged by its size and hash.
 */
const gw = 'gw-log-hygiene-01';
const plate = 'AB-123-CD';
const mac = '00:1a:2b:3c:4d:5e';
/** A well-formed gateway id that was never provisioned, and happens to be a plate. */
const plateAsId = 'ab123cd';
const { log, entries } = captureLog();
let influxd: LocalInfluxd;
let city: TestCloud;
let secret: string;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  city = await startTestCloud(influxd.url, undefined, {}, undefined, log);
  secret = await city.provision(gw);
});

afterAll(async () => {
  await city?.stop();
  await influxd?.stop();
});

const attempt = (clientId: string, username: string, password = 'not-a-secret') =>
  connectAsync(city.mqttUrl, { clientId, username, password, reconnectPeriod: 0 });
const refusals = () => entries.filter((e) => e.msg.startsWith('MQTT connection refused'));

describe('broker logs of what a client chose', () => {
  it('describe an unknown client id and username by size and hash, never as given', async () => {
    await expect(attempt(plate, mac)).rejects.toThrow(/Identifier rejected/i);
    await expect(attempt(mac, mac)).rejects.toThrow(/Bad username or password/i);
    await expect(attempt(plateAsId, plateAsId)).rejects.toThrow(/Bad username or password/i);
    expect(refusals()).toHaveLength(3);
    expect(refusals()[0]).toMatchObject({
      clientId: expect.stringMatching(/^\(unknown: 9 bytes, sha256 [0-9a-f]{16}\)$/),
      username: expect.stringMatching(/^\(unknown: 17 bytes, sha256 [0-9a-f]{16}\)$/),
    });
    const logs = JSON.stringify(entries).toLowerCase();
    for (const secretText of [plate, mac, plateAsId]) expect(logs).not.toContain(secretText.toLowerCase());
  });

  it('name a provisioned gateway as it is', async () => {
    await expect(attempt(gw, gw)).rejects.toThrow(/Bad username or password/i);
    expect(refusals().at(-1)).toMatchObject({
      clientId: gw,
      username: gw,
      msg: expect.stringMatching(/bad gateway secret/),
    });
  });

  it('describe a refused subscription topic outside the layout by size and hash, and name one in it', async () => {
    const client = await connectAsync(city.mqttUrl, {
      clientId: gw,
      username: gw,
      password: secret,
      reconnectPeriod: 0,
    });
    const inLayout = gatewayTopic('gw-someone-else', 'commands');
    // Every filter refused: mqtt.js rejects on the SUBACK's failure codes.
    await expect(
      client.subscribeAsync([`city/v1/plates/${plate}`, `${mac}/#`, inLayout], { qos: 1 }),
    ).rejects.toThrow(/Subscribe error/);
    await client.endAsync();
    const refused = entries.filter((e) => e.msg === 'subscription refused');
    expect(refused).toHaveLength(3);
    expect(refused.map((e) => e.clientId)).toEqual([gw, gw, gw]);
    expect(refused.map((e) => e.topic)).toContainEqual(inLayout);
    expect(refused.filter((e) => String(e.topic).startsWith('(outside the topic layout: '))).toHaveLength(2);
    const logs = JSON.stringify(entries).toLowerCase();
    for (const secretText of [plate, mac]) expect(logs).not.toContain(secretText.toLowerCase());
  });
});
