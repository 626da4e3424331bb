import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { apiFetch, getJson, startTestCloud, type TestCloud, testAdminToken } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';

const gwA = 'gw-dl-a';
const gwB = 'gw-dl-b';
const hour = 3_600_000;
const clock = { now: new Date() };
const later = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
let influxd: LocalInfluxd;
let city: TestCloud;
let viewer = '';
const clients: MqttClient[] = [];

/** Personal data a hostile camera could send, in values and in keys. */
const plate = '1AB 2345';
const mac = 'AB:CD:EF:12:34:56';
const imsi = '230011234567890';
const hostile = JSON.stringify({
  v: 1,
  gatewayId: gwA,
  sentAt: new Date().toISOString(),
  batchId: 'b-hostile',
  events: [{ deviceId: 'cam-1', kind: 'camera', ts: new Date().toISOString(), type: 'plate', plate }],
  [mac]: { imsi },
});

async function call(path: string, token: string, init: RequestInit = {}) {
  const res = await fetch(`${city.apiUrl}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

async function publish(gatewayId: string, payload: string) {
  let client = clients.find((c) => c.options.clientId === gatewayId && c.connected);
  if (!client) {
    client = await connectAsync(city.mqttUrl, {
      clientId: gatewayId,
      username: gatewayId,
      password: await city.provision(gatewayId),
      reconnectPeriod: 0,
    });
    clients.push(client);
  }
  await client.publishAsync(gatewayTopic(gatewayId, 'events'), payload, { qos: 1 });
}

interface Letter {
  id: number;
  gatewayId: string;
  size: number;
  sha256: string;
  shape: unknown;
  rawExpiresAt?: string;
}
const newest = async (token: string, gatewayId: string) =>
  (await call(`/api/v1/dead-letters?gateway=${gatewayId}&limit=1`, token)).body.items[0] as Letter;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  city = await startTestCloud(
    influxd.url,
    undefined,
    { DEAD_LETTER_QUOTA_BYTES: '4096', DEAD_LETTER_RAW_TTL_H: '2' },
    () => clock.now,
  );
  const res = await apiFetch(`${city.apiUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'viewer user', role: 'viewer' }),
  });
  viewer = ((await res.json()) as { token: string }).token;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await city?.stop();
  await influxd?.stop();
});

describe('dead letters keep no payload values', () => {
  it('shows a rejected payload by its size, hash and shape to every role, and keeps none of its values', async () => {
    await publish(gwA, hostile);
    const letter = await newest(viewer, gwA);
    expect(letter).toMatchObject({
      gatewayId: gwA,
      size: Buffer.byteLength(hostile),
      sha256: createHash('sha256').update(hostile).digest('hex'),
      shape: { format: 'json', shape: { otherKeys: 1 } },
    });
    expect(letter).not.toHaveProperty('payload');
    expect(letter).not.toHaveProperty('rawExpiresAt');
    const answers = [
      (await call('/api/v1/dead-letters', viewer)).text,
      (await call('/api/v1/dead-letters', testAdminToken)).text,
    ];
    for (const text of answers) for (const secret of [plate, mac, imsi]) expect(text).not.toContain(secret);
    expect((await call(`/api/v1/dead-letters/${letter.id}/payload`, testAdminToken)).status).toBe(404);
    // Nothing of it on disk either: every file of the cloud's data directory (database, WAL, journal).
    const files = await readdir(city.dataDir, { recursive: true, withFileTypes: true });
    for (const entry of files.filter((f) => f.isFile())) {
      const file = join(entry.parentPath, entry.name);
      const bytes = await readFile(file);
      for (const secret of [plate, mac, imsi])
        expect(bytes.includes(secret), `${file}: ${secret}`).toBe(false);
    }
  });

  it('keeps raw payloads only under an admin debug capture of at most 24 h, audited, shown to admins only, until they expire', async () => {
    const capture = (token: string, until: Date) =>
      call(`/api/v1/gateways/${gwA}/debug-capture`, token, {
        method: 'PUT',
        body: JSON.stringify({ until: until.toISOString() }),
      });
    const inOneHour = new Date(clock.now.getTime() + hour);
    expect((await capture(viewer, inOneHour)).status).toBe(403);
    expect((await capture(testAdminToken, new Date(clock.now.getTime() + 25 * hour))).status).toBe(400);
    expect((await capture(testAdminToken, new Date(clock.now.getTime() - 1_000))).status).toBe(400);
    expect((await capture(testAdminToken, inOneHour)).body).toEqual({
      gatewayId: gwA,
      until: inOneHour.toISOString(),
    });
    expect((await call(`/api/v1/gateways/${gwA}/debug-capture`, viewer)).body.until).toBe(
      inOneHour.toISOString(),
    );

    await publish(gwA, hostile);
    const letter = await newest(viewer, gwA);
    expect(letter.rawExpiresAt).toBe(new Date(clock.now.getTime() + 2 * hour).toISOString());
    expect((await call(`/api/v1/dead-letters/${letter.id}/payload`, viewer)).status).toBe(403);
    const raw = await call(`/api/v1/dead-letters/${letter.id}/payload`, testAdminToken);
    expect(raw.body).toMatchObject({ payload: hostile, payloadEncoding: 'utf8' });
    expect((await call('/api/v1/dead-letters', viewer)).text).not.toContain(plate);

    const audit = (await call('/api/v1/audit?limit=10', testAdminToken)).body.items as {
      action: string;
      target: string;
      actor: string;
    }[];
    expect(audit.slice(0, 2).map((a) => [a.action, a.target])).toEqual([
      ['dead-letter.payload-read', String(letter.id)],
      ['gateway.debug-capture', gwA],
    ]);

    // The capture ends at its time: what is rejected after it is kept without its payload.
    later(hour);
    expect((await call(`/api/v1/gateways/${gwA}/debug-capture`, viewer)).body.until).toBeNull();
    await publish(gwA, hostile);
    expect((await newest(viewer, gwA)).rawExpiresAt).toBeUndefined();

    // The raw payload expires DEAD_LETTER_RAW_TTL_H after it arrived: read past expiry, it is gone.
    later(hour);
    expect((await call(`/api/v1/dead-letters/${letter.id}/payload`, testAdminToken)).status).toBe(404);
    const listed = (await call(`/api/v1/dead-letters?gateway=${gwA}`, viewer)).body.items as Letter[];
    expect(listed.find((l) => l.id === letter.id)).not.toHaveProperty('rawExpiresAt');
  });

  it('ends a capture when an admin turns it off, audited', async () => {
    const path = `/api/v1/gateways/${gwA}/debug-capture`;
    const until = new Date(clock.now.getTime() + hour).toISOString();
    await call(path, testAdminToken, { method: 'PUT', body: JSON.stringify({ until }) });
    expect((await call(path, viewer, { method: 'DELETE' })).status).toBe(403);
    expect((await call(path, testAdminToken, { method: 'DELETE' })).body).toEqual({
      gatewayId: gwA,
      until: null,
    });
    const [entry] = (await call('/api/v1/audit?limit=1', testAdminToken)).body.items;
    expect(entry).toMatchObject({
      action: 'gateway.debug-capture',
      before: { until },
      after: { until: null },
    });
  });

  it('drops and counts the letters of a gateway over its quota, and keeps going', async () => {
    for (let n = 0; n < 40; n++) await publish(gwB, `{"v":1, not json ${n}`);
    const { body } = await getJson<{
      quotaBytes: number;
      items: { gatewayId?: string; bytes: number; dropped: number }[];
    }>(`${city.apiUrl}/api/v1/dead-letters/usage`);
    expect(body.quotaBytes).toBe(4096);
    const usage = body.items.find((u) => u.gatewayId === gwB);
    expect(usage?.bytes).toBeLessThanOrEqual(4096);
    expect(usage?.dropped).toBeGreaterThan(0);
    expect(body.items.find((u) => u.gatewayId === gwA)?.dropped).toBe(0);
    const health = await getJson<{ counters: Record<string, number> }>(`${city.apiUrl}/health`);
    expect(health.body.counters.dead_letters_dropped).toBe(usage?.dropped);
    expect(health.body.counters.dead_letters).toBeGreaterThanOrEqual(40);
    await publish(gwB, '{"still":"acknowledged"}');
  });
});
