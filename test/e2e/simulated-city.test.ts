import { connectAsync } from 'mqtt';
import { getTimes } from 'suncalc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../cloud/storage/influxql.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { EdgeAgent } from '../../edge/agent.ts';
import { gatewayOutbox } from '../../edge/compose.ts';
import { agentConfig } from '../../edge/config.ts';
import type { DeviceKind } from '../../shared/kinds/index.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { simulatedDrivers } from '../../simulators/driver/simulated-driver.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { createRandom } from '../../simulators/random.ts';
import { RecordingDriver } from '../../simulators/recording-driver.ts';
import { getJson, silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const fleet = generateFleet({ seed: 11, devices: 120, devicesPerGateway: 30 });
const stepMs = 15 * 60_000;
const steps = 24;
// The six simulated hours end at least as long ago as they last and take in sunset, so lamps
// switch on (events) whatever the hour the suite runs at.
let simulatedNow = sixHoursAroundSunset();

function sixHoursAroundSunset(): number {
  const span = steps * stepMs;
  const { lat, lon } = fleet.city.location;
  for (let daysBack = 0; ; daysBack++) {
    const start =
      // suncalc 2 types sunset as Date | null (none in a polar day); the test city has one every day.
      (getTimes(new Date(Date.now() - daysBack * 86_400_000), lat, lon).sunset as Date).getTime() - span / 2;
    if (start + span <= Date.now()) return start;
  }
}

let influxd: LocalInfluxd;
let edgeDir: Awaited<ReturnType<typeof tempDir>>;
let city: TestCloud;
const agents: EdgeAgent[] = [];
const recorders: RecordingDriver[] = [];
let malformedSent = 0;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  city = await startTestCloud(influxd.url, fleet);
  edgeDir = await tempDir('edge');
  const random = createRandom(11);
  for (const [index, gateway] of fleet.gateways.entries()) {
    const devices = fleet.devices.filter((d) => d.gatewayId === gateway.id);
    const drivers = simulatedDrivers(devices, fleet.city, random.fork(gateway.id)).map(
      (d) => new RecordingDriver(d),
    );
    recorders.push(...drivers);
    const faults = random.fork(`faults-${gateway.id}`);
    const config = agentConfig.parse({
      gatewayId: gateway.id,
      mqtt: { url: city.mqttUrl, password: await city.provision(gateway.id) },
      dataDir: edgeDir.path,
      batch: { maxReadings: 7, maxInFlight: 4 },
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const agent = new EdgeAgent({
      config,
      drivers,
      outbox: gatewayOutbox(config),
      log: silentLog,
      now: () => new Date(simulatedNow),
      random: () => random.next(),
      // The first gateway also sends garbage now and then (fault injection).
      malformed:
        index === 0
          ? () => {
              if (!faults.chance(0.2)) return undefined;
              malformedSent++;
              return Buffer.from(`{"v":1,"gatewayId":"${gateway.id}","readings":[`);
            }
          : undefined,
    });
    await agent.start({ poll: false });
    agents.push(agent);
  }
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await city?.stop();
  await influxd?.stop();
  await edgeDir?.remove();
});

async function runSteps(count: number, during?: (step: number) => Promise<void>) {
  for (let step = 0; step < count; step++) {
    simulatedNow += stepMs;
    await during?.(step);
    await Promise.all(agents.map((a) => a.pollOnce()));
  }
}

function key(device: unknown, time: unknown) {
  return `${String(device)}@${Number(time)}`;
}

describe('a simulated city of street lights, waste bins and cameras', () => {
  it('stores every reading the devices produced, with the same values, while one gateway is cut off and another sends garbage', async () => {
    const cutGateway = agents[1] as EdgeAgent;
    await runSteps(steps, async (step) => {
      if (step === 8) {
        cutGateway.cutConnection(300);
        await waitFor('the last will to mark the gateway offline', async () => {
          const { body } = await getJson<{ items: { id: string; state: string }[] }>(
            `${city.apiUrl}/api/v1/gateways`,
          );
          return body.items.find((g) => g.id === cutGateway.gatewayId)?.state === 'offline';
        });
      }
    });
    await Promise.all(agents.map((a) => a.drained()));
    expect(cutGateway.stats.connects).toBe(2);

    const published = recorders.flatMap((r) => r.readings);
    expect(published).toHaveLength(fleet.devices.length * steps);
    const kinds: DeviceKind[] = ['streetlight', 'wasteBin', 'camera'];
    for (const kind of kinds) {
      const expected = published.filter((r) => r.kind === kind);
      expect(expected.length).toBeGreaterThan(0);
      const stored = await waitFor(`all ${kind} readings in InfluxDB`, async () => {
        await city.cloud.flush();
        const [series] = await city.influx.select(`SELECT * FROM "${kind}"`);
        const points = rows(series);
        return points.length >= expected.length ? points : undefined;
      });
      expect(stored).toHaveLength(expected.length);
      const byKey = new Map(stored.map((row) => [key(row.device, row.time), row]));
      for (const reading of expected) {
        const row = byKey.get(key(reading.deviceId, Date.parse(reading.ts)));
        const device = fleet.devices.find((d) => d.id === reading.deviceId);
        expect(row, `${reading.deviceId} at ${reading.ts}`).toMatchObject({
          ...reading.metrics,
          gateway: device?.gatewayId,
          district: device?.district,
          kind,
        });
      }
    }
  });

  it('stores every device event (an event is identified by device, type and time)', async () => {
    const events = new Set(
      recorders.flatMap((r) => r.events).map((e) => `${e.deviceId}/${e.type}@${Date.parse(e.ts)}`),
    );
    expect(events.size).toBeGreaterThan(0);
    const [series] = await city.influx.select('SELECT "count", "type", "device" FROM "device_event"');
    const stored = new Set(rows(series).map((r) => `${r.device}/${r.type}@${r.time}`));
    expect(stored).toEqual(events);
  });

  it('kept every malformed payload as a dead letter and nothing else', async () => {
    expect(malformedSent).toBeGreaterThan(0);
    const { body } = await getJson<{
      total: number;
      items: { rejections: { reason: string }[]; gatewayId: string; shape: unknown; sha256: string }[];
    }>(`${city.apiUrl}/api/v1/dead-letters?limit=1000`);
    expect(body.total).toBe(malformedSent);
    // Issue 13: a dead letter keeps the payload's shape and hash, not the payload.
    for (const letter of body.items) {
      expect(letter.shape).toEqual({ format: 'invalid-json' });
      expect(letter.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(letter).not.toHaveProperty('payload');
    }
    expect(new Set(body.items.flatMap((l) => l.rejections.map((r) => `${r.reason}/${l.gatewayId}`)))).toEqual(
      new Set([`invalid-json/${agents[0]?.gatewayId}`]),
    );
  });

  it('lists every provisioned device as online with its latest values', async () => {
    const { body } = await getJson<{ total: number; items: { latest: Record<string, unknown> }[] }>(
      `${city.apiUrl}/api/v1/devices?status=online&limit=1000`,
    );
    expect(body.total).toBe(fleet.devices.length);
    expect(body.items.every((d) => Object.keys(d.latest).length > 0)).toBe(true);
  });

  it('does not let a gateway publish under another gateway prefix', async () => {
    const [a, b] = fleet.gateways;
    if (!a || !b) throw new Error('the fleet needs two gateways');
    const intruder = await connectAsync(city.mqttUrl, {
      clientId: a.id,
      username: a.id,
      password: await city.provision(a.id),
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
    intruder.publish(
      gatewayTopic(b.id, 'status'),
      JSON.stringify({ v: 1, gatewayId: b.id, state: 'offline' }),
      {
        qos: 1,
      },
    );
    await closed;
    const { body } = await getJson<{ items: { id: string; state: string }[] }>(
      `${city.apiUrl}/api/v1/gateways`,
    );
    expect(body.items.find((g) => g.id === b.id)?.state).toBe('online');
    await intruder.endAsync(true);
  });
});
