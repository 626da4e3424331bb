import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import type { DeviceKind } from '../../shared/kinds/index.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Each default rule fires when its fault is injected and clears when it is repaired. Time is the
 * cloud's injected clock: the tests move it (day, then night in Gent) instead of sleeping.
 */
let clock = Date.parse('2026-11-22T12:00:00Z');
const now = () => new Date(clock);
const minutes = (m: number) => {
  clock += m * 60_000;
};

const fleet = generateFleet({ seed: 91, devices: 60, devicesPerGateway: 30 });
const [gatewayA, gatewayB] = fleet.gateways.map((g) => g.id) as [string, string];
const devices = (kind: string, gateway = gatewayA) =>
  fleet.devices.filter((d) => d.kind === kind && d.gatewayId === gateway);
let influxd: LocalInfluxd;
let cloud: TestCloud;
const clients: Record<string, MqttClient> = {};
let batch = 0;

async function send(deviceId: string, metrics: Record<string, unknown>) {
  const device = fleet.devices.find((d) => d.id === deviceId);
  if (!device) throw new Error(`no device ${deviceId}`);
  const ts = now().toISOString();
  await clients[device.gatewayId]?.publishAsync(
    gatewayTopic(device.gatewayId, 'telemetry'),
    JSON.stringify({
      v: 1,
      gatewayId: device.gatewayId,
      sentAt: ts,
      batchId: `d${batch++}`,
      readings: [{ deviceId, kind: device.kind, ts, metrics }],
    }),
    { qos: 1 },
  );
}

const open = async (ruleId: string, subject: string) => {
  const { body } = await getJson<{ items: { subject: { id: string } }[] }>(
    `${cloud.apiUrl}/api/v1/alerts?rule=${ruleId}&state=open&limit=1000`,
  );
  return body.items.some((a) => a.subject.id === subject);
};
const firing = (ruleId: string, subject: string) =>
  waitFor(`${ruleId} firing for ${subject}`, () => open(ruleId, subject), 10_000);
const cleared = (ruleId: string, subject: string) =>
  waitFor(`${ruleId} cleared for ${subject}`, async () => !(await open(ruleId, subject)), 10_000);

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet, { RULES_TICK_S: '0.05', MAX_CLOCK_SKEW_S: '3600' }, now);
  for (const g of [gatewayA, gatewayB]) {
    clients[g] = await connectAsync(cloud.mqttUrl, {
      clientId: g,
      username: g,
      password: await cloud.provision(g),
      reconnectPeriod: 0,
    });
  }
});

afterAll(async () => {
  for (const c of Object.values(clients)) await c.endAsync(true);
  await cloud?.stop();
  await influxd?.stop();
});

describe('the default rule pack, fault by fault (daytime)', () => {
  it('lamp burning in daylight', async () => {
    const lamp = devices('streetlight')[0]?.id as string;
    await send(lamp, { powerState: 'on', status: 'ok' });
    minutes(31);
    await send(lamp, { powerState: 'on' });
    await firing('lamp-burning-in-daylight', lamp);
    await send(lamp, { powerState: 'off' });
    await cleared('lamp-burning-in-daylight', lamp);
  });

  it('abnormal power draw for the dimming level', async () => {
    const lamp = devices('streetlight')[1]?.id as string;
    await send(lamp, { powerState: 'on', dimmingLevel: 100, activePower: 210, status: 'ok' });
    minutes(11);
    await firing('lamp-abnormal-power', lamp);
    await send(lamp, { activePower: 80 });
    await cleared('lamp-abnormal-power', lamp);
  });

  it('bin fire risk, with hysteresis on temperature', async () => {
    const bin = devices('wasteBin')[0]?.id as string;
    await send(bin, { temperature: 72 });
    await firing('bin-fire-risk', bin);
    await send(bin, { temperature: 50 });
    expect(await open('bin-fire-risk', bin)).toBe(true);
    await send(bin, { temperature: 30 });
    await cleared('bin-fire-risk', bin);
  });

  it('bin tilted or lid open for 10 minutes', async () => {
    const bin = devices('wasteBin')[1]?.id as string;
    await send(bin, { tiltAngle: 85, lidOpen: false });
    minutes(11);
    await firing('bin-tilted-or-lid-open', bin);
    await send(bin, { tiltAngle: 0, lidOpen: false });
    await cleared('bin-tilted-or-lid-open', bin);
  });

  it('bin not emptied for 7 days', async () => {
    const bin = devices('wasteBin')[2]?.id as string;
    await send(bin, { dateLastEmptying: new Date(clock - 8 * 86_400_000).toISOString() });
    await firing('bin-not-emptied', bin);
    await send(bin, { dateLastEmptying: now().toISOString() });
    await cleared('bin-not-emptied', bin);
  });

  it('poor 5G link for 10 minutes (window mean)', async () => {
    const camera = devices('camera')[0]?.id as string;
    for (let i = 0; i < 4; i++) {
      await send(camera, { rsrp: -121, sinr: 5 });
      minutes(4);
    }
    await firing('camera-poor-5g-link', camera);
    for (let i = 0; i < 4; i++) {
      minutes(4);
      await send(camera, { rsrp: -80, sinr: 18 });
    }
    await cleared('camera-poor-5g-link', camera);
  });

  it('crowd density above the threshold, with hysteresis', async () => {
    const camera = devices('camera')[1]?.id as string;
    await send(camera, { crowdDensity: 2.6 });
    minutes(6);
    await send(camera, { crowdDensity: 2.4 });
    await firing('camera-crowd-density', camera);
    await send(camera, { crowdDensity: 1.8 });
    expect(await open('camera-crowd-density', camera)).toBe(true);
    await send(camera, { crowdDensity: 1.0 });
    await cleared('camera-crowd-density', camera);
  });

  const chargers = fleet.devices.filter((d) => d.kind === 'evCharger' && d.district === 'centrum');

  it('charging point faulted, with its OCPP error code', async () => {
    const charger = chargers[0]?.id as string;
    await send(charger, { connectorStatus: 'Faulted', errorCode: 'GroundFailure', activePower: 0 });
    await firing('charger-faulted', charger);
    await send(charger, { connectorStatus: 'Available', errorCode: 'NoError' });
    await cleared('charger-faulted', charger);
  });

  it('car still plugged in 2 hours after charging, in the daytime', async () => {
    const charger = chargers[1]?.id as string;
    await send(charger, { connectorStatus: 'SuspendedEV', activePower: 0, sessionDuration: 9_000 });
    minutes(61);
    await send(charger, { connectorStatus: 'SuspendedEV', activePower: 0, sessionDuration: 12_660 });
    expect(await open('charger-bay-blocked', charger)).toBe(false);
    minutes(60);
    await send(charger, { connectorStatus: 'SuspendedEV', activePower: 0, sessionDuration: 16_260 });
    await firing('charger-bay-blocked', charger);
    await send(charger, { connectorStatus: 'Available', sessionDuration: 0 });
    await cleared('charger-bay-blocked', charger);
  });

  it('one alert when every charging point of a district is busy', async () => {
    expect(chargers.length).toBeGreaterThan(1);
    for (const c of chargers) await send(c.id, { connectorStatus: 'Charging', activePower: 11 });
    await firing('district-chargers-all-busy', 'district:centrum');
    await send(chargers[0]?.id as string, { connectorStatus: 'Available', activePower: 0 });
    await cleared('district-chargers-all-busy', 'district:centrum');
  });
});

describe('silence, at night', () => {
  it('lamp dark at night', async () => {
    clock = Date.parse('2026-11-22T22:00:00Z');
    const lamp = devices('streetlight')[2]?.id as string;
    await send(lamp, { powerState: 'off', status: 'ok' });
    minutes(16);
    await send(lamp, { powerState: 'off' });
    await firing('lamp-dark-at-night', lamp);
    await send(lamp, { powerState: 'on' });
    await cleared('lamp-dark-at-night', lamp);
  });

  it('camera, bin and charger silent, and one alert for a gateway whose lamps all went quiet', async () => {
    // Gateway B keeps talking; gateway A's devices stop.
    const alive: Record<DeviceKind, Record<string, unknown>> = {
      streetlight: { status: 'ok' },
      wasteBin: { fillingLevel: 5 },
      camera: { crowdDensity: 0.1 },
      evCharger: { connectorStatus: 'Available' },
    };
    const keepAlive = async () => {
      for (const d of fleet.devices.filter((x) => x.gatewayId === gatewayB)) await send(d.id, alive[d.kind]);
    };
    await keepAlive();
    minutes(121);
    await keepAlive();
    const camera = devices('camera')[2]?.id as string;
    const bin = devices('wasteBin')[3]?.id as string;
    const charger = devices('evCharger')[0]?.id as string;
    await firing('camera-silent', camera);
    await firing('bin-silent', bin);
    await firing('charger-silent', charger);
    await firing('gateway-offline', `gateway:${gatewayA}`);
    expect(await open('gateway-offline', `gateway:${gatewayB}`)).toBe(false);
    await send(camera, { crowdDensity: 0.2 });
    await cleared('camera-silent', camera);
    await send(charger, { connectorStatus: 'Available' });
    await cleared('charger-silent', charger);
    for (const lamp of devices('streetlight')) await send(lamp.id, { status: 'ok' });
    await cleared('gateway-offline', `gateway:${gatewayA}`);
  });
});
