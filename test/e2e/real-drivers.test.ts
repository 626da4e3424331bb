import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../cloud/storage/influxql.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import type { EdgeAgent } from '../../edge/agent.ts';
import { composeAgent } from '../../edge/compose.ts';
import { edgeConfig } from '../../edge/config.ts';
import { DriverRegistry } from '../../edge/drivers/registry.ts';
import { builtInDrivers } from '../../edge/main.ts';
import type { DriverHealth } from '../../shared/driver.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { chirpstackApplication } from '../helpers/chirpstack.ts';
import { apiFetch, getJson, silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { withDevices } from '../helpers/fleet.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import type { ModbusTestDevice } from '../helpers/modbus-device.ts';
import { startCabinetMeter, startWallbox } from '../helpers/modbus-peers.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * A gateway configured with the three built-in real drivers, each against its test peer (a Modbus
 * TCP server playing a cabinet's Eastron meter and one an ABB wallbox; a Mosquitto the cameras
 * publish their analytics to; another playing ChirpStack's MQTT integration broker, its uplinks
 * published with mosquitto_pub), feeds the real cloud: readings stored in InfluxDB, the drivers'
 * health in the gateway's record, commands from the API written to the wallbox's register and
 * published as a LoRaWAN lamp's downlink.
 */
const base = generateFleet({ seed: 23, devices: 1, devicesPerGateway: 1 });
const gatewayId = base.gateways[0]?.id as string;
const fleet = withDevices(base, [
  { id: 'cab-000017', kind: 'streetlight', gatewayId },
  { id: 'evc-100123', kind: 'evCharger', gatewayId },
  { id: 'cam-100031', kind: 'camera', gatewayId },
  { id: 'bin-lora-001', kind: 'wasteBin', gatewayId },
  { id: 'lamp-lora-001', kind: 'streetlight', gatewayId },
]);
const SERIAL = 'B8A44F000031';
const APPLICATION = '17c82e96-be03-4f38-aef3-f83d48582d97';
const BIN_EUI = '24e124128c140062';
const LAMP_EUI = '70b3d5e75e00a001';

let influxd: LocalInfluxd;
let city: TestCloud;
let dir: Awaited<ReturnType<typeof tempDir>>;
let cabinet: ModbusTestDevice;
let wallbox: ModbusTestDevice;
let siteBroker: Awaited<ReturnType<typeof startMosquitto>>;
let camera: MqttClient;
let chirpstackBroker: Awaited<ReturnType<typeof startMosquitto>>;
let chirpstack: ReturnType<typeof chirpstackApplication>;
let downlinks: MqttClient;
const received: { topic: string; body: unknown }[] = [];
let agent: EdgeAgent;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  city = await startTestCloud(influxd.url, fleet);
  dir = await tempDir('real-drivers');

  cabinet = await startCabinetMeter();
  wallbox = await startWallbox();

  siteBroker = await startMosquitto(dir.path, { name: 'site', password: 'site-secret' });
  const passwordFile = join(dir.path, 'camera-broker.secret');
  await writeFile(passwordFile, 'site-secret');
  camera = await connectAsync(siteBroker.url, {
    clientId: 'axis-camera',
    username: 'site',
    password: 'site-secret',
  });

  // ChirpStack's integration broker, in a folder of its own (the helper writes its files there).
  const lora = { name: 'city-edge', password: 'chirpstack-secret' };
  const loraDir = join(dir.path, 'chirpstack');
  await mkdir(loraDir);
  chirpstackBroker = await startMosquitto(loraDir, lora);
  chirpstack = chirpstackApplication(chirpstackBroker.url, lora, APPLICATION);
  const loraPasswordFile = join(loraDir, 'chirpstack-broker.secret');
  await writeFile(loraPasswordFile, `${lora.password}\n`);
  await writeFile(
    join(loraDir, 'devices.json'),
    JSON.stringify({
      models: {
        'em310-udl': {
          kind: 'wasteBin',
          codec: 'milesight-em310-udl',
          variables: { emptyDistanceMm: '1600', fullDistanceMm: '400' },
        },
        ul2030: { kind: 'streetlight', codec: 'nas-ul20xx', confirmed: true },
      },
      devices: [
        { devEui: BIN_EUI, deviceId: 'bin-lora-001', model: 'em310-udl' },
        { devEui: LAMP_EUI, deviceId: 'lamp-lora-001', model: 'ul2030' },
      ],
    }),
  );
  downlinks = await connectAsync(chirpstackBroker.url, {
    clientId: 'chirpstack-downlinks',
    username: lora.name,
    password: lora.password,
  });
  downlinks.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString()) }));
  await downlinks.subscribeAsync(`application/${APPLICATION}/device/+/command/down`, { qos: 1 });

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
      {
        type: 'chirpstack',
        mqtt: { url: chirpstackBroker.url, username: lora.name, passwordFile: loraPasswordFile },
        applicationId: APPLICATION,
        deviceTable: join(loraDir, 'devices.json'),
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
  await downlinks?.endAsync();
  await chirpstackBroker?.stop();
  await cabinet?.stop();
  await wallbox?.stop();
  await city?.stop();
  await influxd?.stop();
  await dir?.remove();
});

/** The gateway's driver health as the cloud keeps it (from the last heartbeat). */
async function driverHealth(): Promise<DriverHealth[]> {
  const { body } = await getJson<{ health?: { drivers?: DriverHealth[] } }>(
    `${city.apiUrl}/api/v1/gateways/${gatewayId}`,
  );
  return body.health?.drivers ?? [];
}

/** Waits until the heartbeat says the driver of `type` is ok (a broker driver: subscribed). */
function driverOk(type: string) {
  return waitFor(`the ${type} driver ok`, async () =>
    (await driverHealth()).some((d) => d.driver === type && d.state === 'ok'),
  );
}

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

describe('a gateway with all three real drivers against their test peers', () => {
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

    await driverOk('camera-analytics');
    const topic = `axis/${SERIAL}/event/tns:axis/CameraApplicationPlatform/ObjectAnalytics/Device1Scenario1`;
    for (const human of [40, 41, 43]) await camera.publishAsync(topic, crossline(human), { qos: 1 });
    const counted = await waitFor('the three crossings in InfluxDB', async () => {
      const points = await stored('camera', 'cam-100031');
      const people = points.reduce((n, p) => n + Number(p.peopleCount ?? 0), 0);
      return people === 4 ? people : undefined;
    });
    expect(counted).toBe(4);
  });

  it("feeds the cloud a LoRaWAN waste bin's and lamp's uplinks through ChirpStack", async () => {
    await driverOk('chirpstack');
    const at = Date.now() - 5_000;
    // EM310-UDL: battery 97 %, distance 800 mm, 66.7 % full between 1600 mm (empty) and 400 mm (full).
    await chirpstack.publish(BIN_EUI, 'up', chirpstack.uplink(BIN_EUI, 85, '017561 03822003 040000', at));
    // NAS UL2030 usage: its meter at 123456 Wh, 61 W.
    await chirpstack.publish(LAMP_EUI, 'up', chirpstack.uplink(LAMP_EUI, 25, 'ff03 40e20100 3d00'));
    expect(await stored('wasteBin', 'bin-lora-001')).toEqual([
      expect.objectContaining({ time: at, fillingLevel: 66.7, batteryLevel: 97, gateway: gatewayId }),
    ]);
    expect(await stored('streetlight', 'lamp-lora-001')).toEqual([
      expect.objectContaining({ energyConsumed: 123.456, activePower: 61, gateway: gatewayId }),
    ]);
  });

  it("keeps the drivers' health with the gateway", async () => {
    // A heartbeat sent after the uplinks were read: the chirpstack entry's lastSuccess is there.
    const drivers = await waitFor('a heartbeat with the uplinks read', async () => {
      const healths = await driverHealth();
      return healths.find((d) => d.driver === 'chirpstack')?.lastSuccess ? healths : undefined;
    });
    expect(drivers).toEqual([
      expect.objectContaining({ driver: 'modbus-tcp', name: 'street', state: 'ok', errors: 0 }),
      expect.objectContaining({ driver: 'camera-analytics', state: 'ok', errors: 0 }),
      expect.objectContaining({ driver: 'chirpstack', state: 'ok', errors: 0 }),
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

  it("publishes a command from the API as the LoRaWAN lamp's downlink on the ChirpStack broker", async () => {
    const sent = await apiFetch(`${city.apiUrl}/api/v1/devices/lamp-lora-001/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: { action: 'setDimming', level: 40 }, ttlS: 60 }),
    });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    const result = await waitFor('the command to succeed', async () => {
      const { body } = await getJson<{ status: string; detail?: string }>(
        `${city.apiUrl}/api/v1/commands/${id}`,
      );
      return body.status === 'succeeded' ? body : undefined;
    });
    // Succeeded once ChirpStack has the downlink; the lamp gets it after its next uplink.
    expect(result.detail).toBe('deferred');
    expect(received).toEqual([
      {
        topic: `application/${APPLICATION}/device/${LAMP_EUI}/command/down`,
        body: {
          devEui: LAMP_EUI,
          confirmed: true,
          fPort: 60,
          data: Buffer.from([0x01, 0xfe, 40]).toString('base64'),
        },
      },
    ]);
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
    await waitFor('a heartbeat without the camera and chirpstack drivers', async () => {
      const drivers = await driverHealth();
      return drivers.length === 1 && drivers[0]?.driver === 'modbus-tcp';
    });
    await waitFor('the wallbox still read', () => wallbox.requests > before);
    expect(agent.connected).toBe(true);
  });
});
