import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../cloud/storage/influxql.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import type { EdgeAgent } from '../../edge/agent.ts';
import { composeAgent } from '../../edge/compose.ts';
import { edgeConfig } from '../../edge/config.ts';
import { encodeRegisters } from '../../edge/drivers/modbus-tcp/values.ts';
import { DriverRegistry } from '../../edge/drivers/registry.ts';
import { builtInDrivers } from '../../edge/main.ts';
import type { DriverHealth } from '../../shared/driver.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, getJson, silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { withDevices } from '../helpers/fleet.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { type ModbusTestDevice, startModbusDevice } from '../helpers/modbus-device.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * A gateway configured with the built-in real drivers, each against its test peer (a Modbus TCP
 * server playing a cabinet's Eastron meter and one an ABB wallbox; a Mosquitto the cameras publish
 * their analytics to), feeds the real cloud: readings stored in InfluxDB, the drivers' health in the
 * gateway's record, a command from the API written to the wallbox's register.
 */
const base = generateFleet({ seed: 23, devices: 1, devicesPerGateway: 1 });
const gatewayId = base.gateways[0]?.id as string;
const fleet = withDevices(base, [
  { id: 'cab-000017', kind: 'streetlight', gatewayId },
  { id: 'evc-100123', kind: 'evCharger', gatewayId },
  { id: 'cam-100031', kind: 'camera', gatewayId },
]);
const SERIAL = 'B8A44F000031';

let influxd: LocalInfluxd;
let city: TestCloud;
let dir: Awaited<ReturnType<typeof tempDir>>;
let cabinet: ModbusTestDevice;
let wallbox: ModbusTestDevice;
let siteBroker: Awaited<ReturnType<typeof startMosquitto>>;
let camera: MqttClient;
let agent: EdgeAgent;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  city = await startTestCloud(influxd.url, fleet);
  dir = await tempDir('real-drivers');

  cabinet = await startModbusDevice({ holding: 0, input: 0x50, coil: 0, discrete: 0 });
  const f32 = (address: number, value: number) =>
    cabinet.set('input', address, encodeRegisters(value, 'f32', 'high-first') as number[]);
  f32(0x2a, 231.5);
  f32(0x2e, 4.25);
  f32(0x34, 2_940);
  f32(0x48, 18_250.5);
  wallbox = await startModbusDevice({ holding: 0x4110, input: 0, coil: 0, discrete: 0 });
  const u32 = (address: number, value: number) =>
    wallbox.set('holding', address, encodeRegisters(value, 'u32', 'high-first') as number[]);
  u32(0x4006, 32_000);
  u32(0x400c, 0x0400);
  u32(0x400e, 16_000);
  u32(0x401c, 10_800);
  u32(0x401e, 6_400);

  siteBroker = await startMosquitto(dir.path, { name: 'site', password: 'site-secret' });
  const passwordFile = join(dir.path, 'camera-broker.secret');
  await writeFile(passwordFile, 'site-secret');
  camera = await connectAsync(siteBroker.url, {
    clientId: 'axis-camera',
    username: 'site',
    password: 'site-secret',
  });

  const config = edgeConfig.parse({
    gatewayId,
    mqtt: { url: city.mqttUrl, password: await city.provision(gatewayId) },
    dataDir: join(dir.path, 'edge'),
    reportingIntervalS: 0.2,
    heartbeatIntervalS: 1,
    drivers: [
      {
        type: 'modbus-tcp',
        name: 'street',
        timeoutMs: 500,
        devices: [
          { deviceId: 'cab-000017', host: '127.0.0.1', port: cabinet.port, model: 'eastron-sdm630' },
          { deviceId: 'evc-100123', host: '127.0.0.1', port: wallbox.port, model: 'abb-terra-ac' },
        ],
      },
      {
        type: 'camera-analytics',
        broker: { url: siteBroker.url, username: 'site', passwordFile },
        cameras: [
          {
            deviceId: 'cam-100031',
            serial: SERIAL,
            scenarios: [{ scenario: 'Device1Scenario1', type: 'crossline' }],
          },
        ],
      },
    ],
  });
  agent = composeAgent({
    config,
    devices: fleet.devices.filter((d) => d.gatewayId === gatewayId),
    city: fleet.city,
    registry: new DriverRegistry(builtInDrivers),
    log: silentLog,
  });
  await agent.start();
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await camera?.endAsync();
  await siteBroker?.stop();
  await cabinet?.stop();
  await wallbox?.stop();
  await city?.stop();
  await influxd?.stop();
  await dir?.remove();
});

async function stored(measurement: string, device: string) {
  return waitFor(`${measurement} of ${device} in InfluxDB`, async () => {
    await city.cloud.flush();
    const [series] = await city.influx.select(`SELECT * FROM "${measurement}" WHERE "device" = '${device}'`);
    const points = rows(series);
    return points.length > 0 ? points : undefined;
  });
}

const crossline = (human: number) =>
  JSON.stringify({
    topic: 'axis:CameraApplicationPlatform/ObjectAnalytics/Device1Scenario1',
    timestamp: Date.now(),
    serial: SERIAL,
    message: {
      source: {},
      key: {},
      data: {
        startTime: '2026-11-22T06:00:00Z',
        reason: 'human',
        total: String(human),
        totalHuman: String(human),
      },
    },
  });

describe('a gateway with the real drivers against their test peers', () => {
  it('feeds the cloud: the cabinet meter and the wallbox over Modbus, the camera counts over MQTT', async () => {
    const [lamp] = await stored('streetlight', 'cab-000017');
    expect(lamp).toMatchObject({
      voltage: 231.5,
      current: 4.25,
      activePower: 2_940,
      energyConsumed: 18_250.5,
      gateway: gatewayId,
    });
    const [charger] = await stored('evCharger', 'evc-100123');
    expect(charger).toMatchObject({
      connectorStatus: 'Charging',
      ratedPower: 22.08,
      powerLimit: 11.04,
      activePower: 10.8,
      sessionEnergy: 6.4,
    });

    await waitFor('the camera driver subscribed', async () => {
      const { body } = await getJson<{ health?: { drivers?: DriverHealth[] } }>(
        `${city.apiUrl}/api/v1/gateways/${gatewayId}`,
      );
      return body.health?.drivers?.find((d) => d.driver === 'camera-analytics')?.state === 'ok';
    });
    const topic = `axis/${SERIAL}/event/tns:axis/CameraApplicationPlatform/ObjectAnalytics/Device1Scenario1`;
    for (const human of [40, 41, 43]) await camera.publishAsync(topic, crossline(human), { qos: 1 });
    const counted = await waitFor('the three crossings in InfluxDB', async () => {
      const points = await stored('camera', 'cam-100031');
      const people = points.reduce((n, p) => n + Number(p.peopleCount ?? 0), 0);
      return people === 4 ? people : undefined;
    });
    expect(counted).toBe(4);
  });

  it("keeps the drivers' health with the gateway", async () => {
    const { body } = await getJson<{ health: { drivers: DriverHealth[] } }>(
      `${city.apiUrl}/api/v1/gateways/${gatewayId}`,
    );
    expect(body.health.drivers).toEqual([
      expect.objectContaining({ driver: 'modbus-tcp', name: 'street', state: 'ok', errors: 0 }),
      expect.objectContaining({ driver: 'camera-analytics', state: 'ok', errors: 0 }),
    ]);
  });

  it("writes a command from the API to the wallbox's register", async () => {
    const sent = await apiFetch(`${city.apiUrl}/api/v1/devices/evc-100123/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: { action: 'setPowerLimit', kW: 7 }, ttlS: 60 }),
    });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    await waitFor('the command to succeed', async () => {
      const { body } = await getJson<{ status: string }>(`${city.apiUrl}/api/v1/commands/${id}`);
      return body.status === 'succeeded';
    });
    expect(wallbox.get('holding', 0x4100, 2)).toEqual([0, 10_145]);
  });

  it('takes new drivers from the API without a restart', async () => {
    const before = wallbox.requests;
    const modbus = {
      type: 'modbus-tcp',
      name: 'street',
      timeoutMs: 500,
      devices: [
        { deviceId: 'cab-000017', host: '127.0.0.1', port: cabinet.port, model: 'eastron-sdm630' },
        { deviceId: 'evc-100123', host: '127.0.0.1', port: wallbox.port, model: 'abb-terra-ac' },
      ],
    };
    const put = await apiFetch(`${city.apiUrl}/api/v1/gateways/${gatewayId}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reportingIntervalS: 1, drivers: [modbus] }),
    });
    expect(put.status).toBe(200);
    await waitFor('the configuration applied', async () => {
      const { body } = await getJson<{ reported: { status: string } | null }>(
        `${city.apiUrl}/api/v1/gateways/${gatewayId}/config`,
      );
      return body.reported?.status === 'applied';
    });
    await waitFor('a heartbeat without the camera driver', async () => {
      const { body } = await getJson<{ health: { drivers: DriverHealth[] } }>(
        `${city.apiUrl}/api/v1/gateways/${gatewayId}`,
      );
      return body.health.drivers.length === 1 && body.health.drivers[0]?.driver === 'modbus-tcp';
    });
    await waitFor('the wallbox still read', () => wallbox.requests > before);
    expect(agent.connected).toBe(true);
  });
});
