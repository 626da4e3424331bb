import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, getJson, startTestCloud, type TestCloud, testAdminToken } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * GET /api/v1/events over real HTTP, read as a browser's EventSource reads it (fetch, text/event-stream
 * parsed block by block), with alerts fired by real readings through the broker and the rules.
 */
const fleet = generateFleet({ seed: 12, devices: 40, devicesPerGateway: 40 });
const gateway = fleet.gateways[0]?.id as string;
const bin = fleet.devices.find((d) => d.kind === 'wasteBin')?.id as string;
const lamp = fleet.devices.find((d) => d.kind === 'streetlight')?.id as string;
let influxd: LocalInfluxd;
let cloud: TestCloud;
let client: MqttClient;
let batches = 0;

interface Received {
  event: string;
  data: Record<string, unknown>;
}

/** An EventSource-like reader: every event and every comment line, as they arrive. */
const openStream = () => openAs({});

async function openAs(headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(`${cloud.apiUrl}/api/v1/events`, {
    headers: { authorization: `Bearer ${testAdminToken}`, ...headers },
    signal: abort.signal,
  });
  const events: Received[] = [];
  const comments: string[] = [];
  if (res.ok && res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          comments.push(...lines.filter((l) => l.startsWith(':')));
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    })();
  }
  return { res, events, comments, close: () => abort.abort() };
}

async function send(readings: { deviceId: string; kind: string; metrics: Record<string, unknown> }[]) {
  const ts = new Date().toISOString();
  await client.publishAsync(
    gatewayTopic(gateway, 'telemetry'),
    JSON.stringify({
      v: 1,
      gatewayId: gateway,
      sentAt: ts,
      batchId: `b${batches++}`,
      readings: readings.map((r) => ({ ...r, ts })),
    }),
    { qos: 1 },
  );
}

const post = (path: string, body: unknown) =>
  apiFetch(`${cloud.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const find = (events: Received[], event: string, test: (data: Record<string, unknown>) => boolean) =>
  waitFor(`a ${event} event`, () => events.find((e) => e.event === event && test(e.data)), 10_000);

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet, {
    DEVICE_STATE_SWEEP_S: '0.05',
    EVENTS_PING_S: '0.2',
    EVENTS_MAX_STREAMS_PER_PRINCIPAL: '3',
  });
  const secret = await cloud.provision(gateway);
  client = await connectAsync(cloud.mqttUrl, {
    clientId: gateway,
    username: gateway,
    password: secret,
    reconnectPeriod: 0,
  });
});

afterAll(async () => {
  await client?.endAsync(true);
  await cloud?.stop();
  await influxd?.stop();
});

describe('the live stream', () => {
  it('is an event stream that pings, and tells a device coming online', async () => {
    const stream = await openStream();
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.res.headers.get('cache-control')).toContain('no-transform');
    await waitFor('a ping', () => stream.comments.includes(': ping'), 10_000);
    await send([
      { deviceId: lamp, kind: 'streetlight', metrics: { status: 'ok', powerState: 'on', activePower: 60 } },
    ]);
    await find(stream.events, 'device', (d) => d.id === lamp && d.state === 'ok');
    stream.close();
  });

  it('tells every change of an alert fired by a reading, and the device state that follows', async () => {
    const stream = await openStream();
    await send([{ deviceId: bin, kind: 'wasteBin', metrics: { fillingLevel: 85, lidOpen: false } }]);
    const fired = await find(stream.events, 'alert', (d) => d.transition === 'fired');
    const alert = fired.data.alert as {
      id: string;
      ruleId: string;
      severity: string;
      subject: { id: string };
    };
    expect(alert).toMatchObject({ ruleId: 'bin-full', subject: { id: bin }, state: 'firing' });
    await find(stream.events, 'device', (d) => d.id === bin && d.state === alert.severity);
    expect((await post(`/api/v1/alerts/${alert.id}/acknowledge`, { note: 'on my way' })).status).toBe(200);
    expect((await post(`/api/v1/alerts/${alert.id}/assign`, { assignee: 'crew 3' })).status).toBe(200);
    expect((await post(`/api/v1/alerts/${alert.id}/comments`, { text: 'lid jammed' })).status).toBe(200);
    for (const transition of ['acknowledged', 'assigned', 'commented'])
      await find(
        stream.events,
        'alert',
        (d) => d.transition === transition && (d.alert as { id: string }).id === alert.id,
      );
    expect(stream.events.find((e) => e.data.transition === 'assigned')?.data.alert).toMatchObject({
      assignee: 'crew 3',
    });
    await send([{ deviceId: bin, kind: 'wasteBin', metrics: { fillingLevel: 20 } }]);
    await find(
      stream.events,
      'alert',
      (d) => d.transition === 'resolved' && (d.alert as { id: string }).id === alert.id,
    );
    await find(stream.events, 'device', (d) => d.id === bin && d.state === 'ok');
    stream.close();
  });

  it("tells each status of a command, from pending to the gateway's result", async () => {
    const stream = await openStream();
    const created = await post(`/api/v1/devices/${lamp}/commands`, {
      command: { action: 'switch', on: false },
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    await find(stream.events, 'command', (d) => d.id === id && d.status === 'pending');
    await client.subscribeAsync(gatewayTopic(gateway, 'commands'), { qos: 1 });
    await find(stream.events, 'command', (d) => d.id === id && d.status === 'sent');
    await client.publishAsync(
      gatewayTopic(gateway, 'command-results'),
      JSON.stringify({
        v: 1,
        gatewayId: gateway,
        commandId: id,
        ts: new Date().toISOString(),
        status: 'succeeded',
      }),
      { qos: 1 },
    );
    // A result proves delivery: delivered, then succeeded.
    await find(stream.events, 'command', (d) => d.id === id && d.status === 'delivered');
    const done = await find(stream.events, 'command', (d) => d.id === id && d.status === 'succeeded');
    expect(done.data).toEqual((await getJson(`${cloud.apiUrl}/api/v1/commands/${id}`)).body);
    stream.close();
  });

  it('refuses a stream beyond the cap with 429 and Retry-After, and frees a slot when a stream ends', async () => {
    // A token of its own: the streams of the tests before may still be closing.
    const created = await post('/api/v1/tokens', { name: 'console wall', role: 'viewer' });
    const { token } = (await created.json()) as { token: string };
    const openStream = (headers: Record<string, string> = {}) =>
      openAs({ authorization: `Bearer ${token}`, ...headers });
    const open = [await openStream(), await openStream(), await openStream()];
    expect(open.map((s) => s.res.status)).toEqual([200, 200, 200]);
    const refused = await openStream();
    expect(refused.res.status).toBe(429);
    expect(refused.res.headers.get('retry-after')).toBe('30');
    expect(await refused.res.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    open[0]?.close();
    const next = await waitFor('a slot freed by the closed stream', async () => {
      const s = await openStream();
      if (s.res.status === 200) return s;
      await s.res.body?.cancel();
      return undefined;
    });
    next.close();
    for (const s of open) s.close();
  });

  it('refuses an unauthenticated stream', async () => {
    const res = await fetch(`${cloud.apiUrl}/api/v1/events`);
    expect(res.status).toBe(401);
  });
});
