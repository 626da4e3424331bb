import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { waitFor } from '../helpers/wait.ts';

/** Simulated time: the cloud's clock; the tests move it forward instead of sleeping. */
let clock = Date.parse('2026-11-22T12:00:00Z');
const now = () => new Date(clock);
const advance = (ms: number) => {
  clock += ms;
};

const fleet = generateFleet({ seed: 81, devices: 40, devicesPerGateway: 40 });
const gateway = fleet.gateways[0]?.id as string;
const of = (kind: string) => fleet.devices.filter((d) => d.kind === kind);
let influxd: LocalInfluxd;
let cloud: TestCloud;
let client: MqttClient;
let batches = 0;
let secret = '';

async function send(readings: { deviceId: string; kind: string; metrics: Record<string, unknown> }[]) {
  const ts = now().toISOString();
  await client.publishAsync(
    gatewayTopic(gateway, 'telemetry'),
    JSON.stringify({
      v: 1,
      gatewayId: gateway,
      sentAt: ts,
      batchId: `r${batches++}`,
      readings: readings.map((r) => ({ ...r, ts })),
    }),
    { qos: 1 },
  );
}

async function sendEvent(deviceId: string, kind: string, type: string) {
  const ts = now().toISOString();
  await client.publishAsync(
    gatewayTopic(gateway, 'events'),
    JSON.stringify({
      v: 1,
      gatewayId: gateway,
      sentAt: ts,
      batchId: `e${batches++}`,
      events: [{ deviceId, kind, type, ts }],
    }),
    { qos: 1 },
  );
}

interface Alert {
  id: string;
  ruleId: string;
  state: string;
  subject: { id: string };
  history?: { action: string; actor: string; detail?: Record<string, unknown> }[];
}

const alertsOf = async (ruleId: string, state = 'open') =>
  (
    await getJson<{ items: Alert[] }>(
      `${cloud.apiUrl}/api/v1/alerts?rule=${ruleId}&state=${state}&limit=1000`,
    )
  ).body.items;

const putRule = (id: string, rule: unknown) =>
  apiFetch(`${cloud.apiUrl}/api/v1/rules/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });

async function eventually<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  return (await waitFor(what, check, 10_000)) as T;
}

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet, { RULES_TICK_S: '0.05', MAX_CLOCK_SKEW_S: '3600' }, now);
  secret = await cloud.provision(gateway);
  client = await connectAsync(cloud.mqttUrl, {
    clientId: gateway,
    username: gateway,
    password: secret,
    reconnectPeriod: 0,
  });
  // Everyone reports once, healthy, so absence rules start from a known "last seen".
  await send(
    fleet.devices.map((d) => ({
      deviceId: d.id,
      kind: d.kind,
      metrics:
        d.kind === 'streetlight'
          ? { status: 'ok', powerState: 'on', dimmingLevel: 100, activePower: 60 }
          : d.kind === 'wasteBin'
            ? { fillingLevel: 10, temperature: 12, tiltAngle: 0, lidOpen: false }
            : { streamStatus: 'online', tamperDetected: false, crowdDensity: 0.1 },
    })),
  );
});

afterAll(async () => {
  await client?.endAsync(true);
  await cloud?.stop();
  await influxd?.stop();
});

describe('default rules on live data', () => {
  it('bin above 80 % fires, holds at 70 % (hysteresis) and clears below 60 %', async () => {
    const bin = of('wasteBin')[0]?.id as string;
    await send([{ deviceId: bin, kind: 'wasteBin', metrics: { fillingLevel: 85 } }]);
    const [alert] = await eventually('bin-full firing', async () =>
      (await alertsOf('bin-full')).length ? alertsOf('bin-full') : undefined,
    );
    expect(alert?.subject.id).toBe(bin);
    await send([{ deviceId: bin, kind: 'wasteBin', metrics: { fillingLevel: 70 } }]);
    expect((await alertsOf('bin-full')).length).toBe(1);
    await send([{ deviceId: bin, kind: 'wasteBin', metrics: { fillingLevel: 55 } }]);
    await eventually('bin-full resolved', async () => (await alertsOf('bin-full')).length === 0);
    const resolved = await getJson<Alert>(`${cloud.apiUrl}/api/v1/alerts/${alert?.id}`);
    expect(resolved.body.state).toBe('resolved');
    expect(resolved.body.history?.map((h) => h.action)).toEqual(['fired', 'resolved']);
  });

  it('a camera stream must be down for 5 minutes before it fires (for)', async () => {
    const camera = of('camera')[0]?.id as string;
    await send([{ deviceId: camera, kind: 'camera', metrics: { streamStatus: 'offline' } }]);
    advance(2 * 60_000);
    await new Promise((r) => setTimeout(r, 200)); // several ticks at the same simulated time
    expect(await alertsOf('camera-stream-down')).toHaveLength(0);
    advance(4 * 60_000);
    await eventually(
      'camera-stream-down firing from the timer',
      async () => (await alertsOf('camera-stream-down')).length === 1,
    );
    await send([{ deviceId: camera, kind: 'camera', metrics: { streamStatus: 'online' } }]);
    await eventually(
      'camera-stream-down resolved',
      async () => (await alertsOf('camera-stream-down')).length === 0,
    );
  });

  it('fires a tamper alert on the event and clears it when the camera reports no tamper', async () => {
    const camera = of('camera')[1]?.id as string;
    await sendEvent(camera, 'camera', 'tamper');
    await eventually('camera-tampered firing', async () => (await alertsOf('camera-tampered')).length === 1);
    await send([{ deviceId: camera, kind: 'camera', metrics: { tamperDetected: false } }]);
    await eventually(
      'camera-tampered resolved',
      async () => (await alertsOf('camera-tampered')).length === 0,
    );
  });

  it('raises one alert for a district with more than 20 % faulty lamps', async () => {
    const district = of('streetlight')[0]?.district as string;
    const lamps = of('streetlight').filter((d) => d.district === district);
    const faulty = lamps.slice(0, Math.floor(lamps.length * 0.2) + 1);
    await send(
      faulty.map((d) => ({ deviceId: d.id, kind: 'streetlight', metrics: { status: 'defectiveLamp' } })),
    );
    const [group] = await eventually('district-lamps-faulty', async () => {
      const open = await alertsOf('district-lamps-faulty');
      return open.length ? open : undefined;
    });
    expect(group?.subject.id).toBe(`district:${district}`);
    expect(await alertsOf('lamp-fault')).toHaveLength(faulty.length);
    await send(faulty.map((d) => ({ deviceId: d.id, kind: 'streetlight', metrics: { status: 'ok' } })));
    await eventually(
      'district alert cleared',
      async () => (await alertsOf('district-lamps-faulty')).length === 0,
    );
  });

  it('fires an absence alert on time from the timer, with no further message', async () => {
    advance(31 * 60_000);
    const lamps = of('streetlight').length;
    await eventually('every lamp silent', async () => (await alertsOf('lamp-silent')).length === lamps);
    const lamp = of('streetlight')[0]?.id as string;
    await send([{ deviceId: lamp, kind: 'streetlight', metrics: { status: 'ok' } }]);
    await eventually('the lamp that reported is no longer silent', async () =>
      (await alertsOf('lamp-silent')).every((a) => a.subject.id !== lamp),
    );
  });
});

describe('alert lifecycle and rules through the API', () => {
  it('acknowledges, assigns, comments and resolves by hand, with the full history', async () => {
    const [alert] = await alertsOf('lamp-silent');
    const post = (path: string, body: unknown) =>
      apiFetch(`${cloud.apiUrl}/api/v1/alerts/${alert?.id}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('acknowledge', { note: 'crew on the way' })).status).toBe(200);
    expect((await post('acknowledge', {})).status).toBe(409);
    expect((await post('assign', { assignee: 'team-noord' })).status).toBe(200);
    expect((await post('comments', { text: 'cabinet fuse blown' })).status).toBe(200);
    expect((await post('resolve', { reason: 'fuse replaced' })).status).toBe(200);
    expect((await post('resolve', { reason: 'again' })).status).toBe(409);
    const { body } = await getJson<Alert & { assignee: string; resolvedBy: string; resolution: string }>(
      `${cloud.apiUrl}/api/v1/alerts/${alert?.id}`,
    );
    expect(body).toMatchObject({
      state: 'resolved',
      assignee: 'team-noord',
      resolvedBy: 'bootstrap-admin',
      resolution: 'fuse replaced',
    });
    expect(body.history?.map((h) => h.action)).toEqual([
      'fired',
      'acknowledged',
      'assigned',
      'comment',
      'resolved',
    ]);
  });

  it('refuses a bad rule with the field path, and applies a new rule without a restart', async () => {
    const bad = await putRule('hot-lamp', {
      name: 'Hot',
      severity: 'urgent',
      target: { kind: 'streetlight' },
      condition: { type: 'threshold', metric: 'activePower', op: '>>', value: 1 },
    });
    expect(bad.status).toBe(400);
    const paths = ((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.severity', 'body.condition.op']));
    const good = await putRule('hot-lamp', {
      name: 'Lamp drawing over 100 W',
      severity: 'minor',
      target: { kind: 'streetlight' },
      condition: { type: 'threshold', metric: 'activePower', op: '>', value: 100 },
    });
    expect(good.status).toBe(200);
    const lamp = of('streetlight')[2]?.id as string;
    await send([{ deviceId: lamp, kind: 'streetlight', metrics: { activePower: 140 } }]);
    await eventually('the new rule firing', async () => (await alertsOf('hot-lamp')).length === 1);
    const exported = await getJson<{ id: string }[]>(`${cloud.apiUrl}/api/v1/rules/export`);
    expect(exported.body.map((r) => r.id)).toContain('hot-lamp');
  });

  it('applies a rule narrowed to districts only to devices in those districts', async () => {
    const put = (id: string, districts: string[]) =>
      putRule(id, {
        name: `Over-voltage in ${districts.join(', ')}`,
        severity: 'minor',
        target: { kind: 'streetlight', districts },
        condition: { type: 'threshold', metric: 'voltage', op: '>', value: 250 },
      });
    const lamp = of('streetlight')[3] as { id: string; district: string };
    const high = () => send([{ deviceId: lamp.id, kind: 'streetlight', metrics: { voltage: 262 } }]);
    expect((await put('voltage-elsewhere', ['nowhere-district'])).status).toBe(200);
    await high();
    // A rule added later is met by the next reading of the same metrics (the rule index is rebuilt).
    expect((await put('voltage-here', [lamp.district])).status).toBe(200);
    await high();
    await eventually('the district rule firing', async () => (await alertsOf('voltage-here')).length === 1);
    expect(await alertsOf('voltage-elsewhere')).toEqual([]);
  });

  it('keeps rules and open alerts across a restart', async () => {
    const before = await alertsOf('hot-lamp');
    await cloud.restart();
    expect(await alertsOf('hot-lamp')).toEqual(before);
    const rule = await getJson(`${cloud.apiUrl}/api/v1/rules/hot-lamp`);
    expect(rule.status).toBe(200);
  });
});

describe('dry run', () => {
  it('evaluates a rule against the stored history before it is saved', async () => {
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/rules/dry-run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        hours: 2,
        rule: {
          id: 'what-if',
          name: 'Bins over 50 %',
          severity: 'info',
          target: { kind: 'wasteBin' },
          condition: { type: 'threshold', metric: 'fillingLevel', op: '>', value: 50 },
        },
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      fired: number;
      devices: { subject: string; fired: number }[];
      readings: number;
    };
    // The first bin went 85 % → 70 % → 55 %: above 50 % from the first reading, once.
    const bin = of('wasteBin')[0]?.id as string;
    expect(body.devices.find((d) => d.subject === bin)).toEqual(expect.objectContaining({ fired: 1 }));
    expect(body.readings).toBeGreaterThan(0);
    expect((await getJson(`${cloud.apiUrl}/api/v1/rules/what-if`)).status).toBe(404);
  });
});

describe('escalation', () => {
  it('raises the severity of an alert nobody acknowledged in time, once', async () => {
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'bin-overflowing',
        name: 'Bin overflowing',
        severity: 'warning',
        target: { kind: 'wasteBin' },
        condition: { type: 'threshold', metric: 'fillingLevel', op: '>=', value: 99 },
        escalateAfter: '10m',
        escalateTo: 'critical',
      }),
    });
    expect(res.status).toBe(201);
    // The cloud was restarted above: the gateway connects again.
    client = await connectAsync(cloud.mqttUrl, {
      clientId: gateway,
      username: gateway,
      password: secret,
      reconnectPeriod: 0,
    });
    const bin = of('wasteBin')[3]?.id as string;
    await send([{ deviceId: bin, kind: 'wasteBin', metrics: { fillingLevel: 100 } }]);
    const [alert] = await eventually('bin-overflowing firing', async () => {
      const open = await alertsOf('bin-overflowing');
      return open.length ? open : undefined;
    });
    advance(11 * 60_000);
    const escalated = await eventually('the escalation', async () => {
      const { body } = await getJson<Alert & { severity: string }>(
        `${cloud.apiUrl}/api/v1/alerts/${alert?.id}`,
      );
      return body.severity === 'critical' ? body : undefined;
    });
    expect(escalated.history?.filter((h) => h.action === 'escalated')).toHaveLength(1);
  });
});
