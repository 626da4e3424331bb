import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, countPoints, getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Readings and events of a device the fleet files do not list: refused by default (its id, text the
 * sender chose, kept nowhere), learned only when the town opts in (LEARN_UNPROVISIONED_DEVICES=true).
 */
const fleet = generateFleet({ seed: 13, devices: 20, devicesPerGateway: 20 });
const gateway = fleet.gateways[0]?.id as string;
const lamp = fleet.devices.find((d) => d.kind === 'streetlight') as { id: string };
/** What a hostile or faulty camera reports as its id: a MAC address, a licence plate. */
const mac = 'AB:CD:EF:12:34:56';
const plate = '1AB 2345';

let influxd: LocalInfluxd;
const clouds: TestCloud[] = [];
const clients: MqttClient[] = [];

async function startCity(env: Record<string, string> = {}) {
  const city = await startTestCloud(influxd.url, fleet, env);
  clouds.push(city);
  const client = await connectAsync(city.mqttUrl, {
    clientId: gateway,
    username: gateway,
    password: await city.provision(gateway),
    reconnectPeriod: 0,
  });
  clients.push(client);
  const send = (channel: 'telemetry' | 'events', key: 'readings' | 'events', items: object[]) =>
    client.publishAsync(
      gatewayTopic(gateway, channel),
      JSON.stringify({
        v: 1,
        gatewayId: gateway,
        sentAt: new Date().toISOString(),
        batchId: `b-${Math.random()}`,
        [key]: items,
      }),
      { qos: 1 },
    );
  return { city, send };
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

beforeAll(async () => {
  influxd = await startTestInfluxd();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  for (const city of clouds) await city.stop();
  await influxd?.stop();
});

describe('a device the fleet files do not list', () => {
  it('is refused by default, counted and dead-lettered without its id; the good readings of its batch are stored', async () => {
    const { city, send } = await startCity();
    const ts = minutesAgo(2);
    await send('telemetry', 'readings', [
      { deviceId: lamp.id, kind: 'streetlight', ts, metrics: { activePower: 11 } },
      { deviceId: mac, kind: 'camera', ts, metrics: { peopleCount: 4 } },
      { deviceId: lamp.id, kind: 'streetlight', ts: minutesAgo(1), metrics: { activePower: 12 } },
    ]);
    await send('events', 'events', [{ deviceId: plate, kind: 'camera', ts, type: 'tamper' }]);
    await waitFor('both lamp readings', async () => {
      await city.cloud.flush();
      return (await countPoints(city.influx, 'streetlight', 'activePower')) === 2;
    });
    expect(await countPoints(city.influx, 'camera', 'peopleCount')).toBe(0);
    expect(await city.influx.select('SELECT * FROM "device_event"')).toEqual([]);
    expect(city.cloud.counters.get('rejected_unknown-device')).toBe(2);

    const letters = await getJson<{ items: { rejections: { reason: string; index?: number }[] }[] }>(
      `${city.apiUrl}/api/v1/dead-letters?reason=unknown-device&limit=10`,
    );
    expect(letters.body.items.map((l) => l.rejections.map((r) => [r.reason, r.index])).sort()).toEqual([
      [['unknown-device', 0]],
      [['unknown-device', 1]],
    ]);
    expect(JSON.stringify(letters.body)).not.toContain(mac);
    expect(JSON.stringify(letters.body)).not.toContain(plate);
    for (const id of [mac, plate]) {
      expect((await apiFetch(`${city.apiUrl}/api/v1/devices/${encodeURIComponent(id)}`)).status).toBe(404);
    }
    const devices = await getJson<{ total: number }>(`${city.apiUrl}/api/v1/devices?limit=1`);
    expect(devices.body.total).toBe(fleet.devices.length);
  });

  it('is learned when the town opts in, owned by its gateway, unassigned; a metacharacter id round-trips exactly', async () => {
    const { city, send } = await startCity({ LEARN_UNPROVISIONED_DEVICES: 'true' });
    const deviceId = 'bin 7,a=b"\'ü';
    await send('telemetry', 'readings', [
      { deviceId, kind: 'wasteBin', ts: minutesAgo(3), metrics: { fillingLevel: 42.5 } },
    ]);
    await waitFor('the learned bin', async () => {
      await city.cloud.flush();
      return (await countPoints(city.influx, 'wasteBin', 'fillingLevel')) > 0;
    });
    const [series] = await city.influx.select('SHOW TAG VALUES FROM "wasteBin" WITH KEY = "device"');
    expect(series?.values.map((v) => v[1])).toContain(deviceId);
    const learned = await getJson<{ district: string; provisioned: boolean; gatewayId: string }>(
      `${city.apiUrl}/api/v1/devices/${encodeURIComponent(deviceId)}`,
    );
    expect(learned.body).toMatchObject({ district: 'unassigned', provisioned: false, gatewayId: gateway });
  });
});
