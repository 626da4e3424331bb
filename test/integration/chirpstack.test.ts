import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../cloud/storage/influxql.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import type { EdgeAgent } from '../../edge/agent.ts';
import { composeAgent } from '../../edge/compose.ts';
import { edgeConfig } from '../../edge/config.ts';
import type { ChirpstackDriver } from '../../edge/drivers/chirpstack/driver.ts';
import { chirpstackDriverFactory } from '../../edge/drivers/chirpstack/factory.ts';
import { DriverRegistry } from '../../edge/drivers/registry.ts';
import type { DriverFactory, GatewayDrivers } from '../../shared/driver.ts';
import type { FleetFile } from '../../shared/fleet.ts';
import { apiFetch, getJson, silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { withDevices } from '../helpers/fleet.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * LoRaWAN end to end with real peers: a Mosquitto playing ChirpStack's MQTT integration broker
 * (uplinks published with mosquitto_pub in ChirpStack v4's JSON), an edge agent with the chirpstack
 * driver, the real cloud writing to a real influxd; and commands from the cloud's API that come out
 * as downlinks on the ChirpStack broker.
 */
const run = promisify(execFile);
const app = '17c82e96-be03-4f38-aef3-f83d48582d97';
const gateway = 'gw-lora-01';
const location = { lat: 50.08, lon: 14.42 };
const devices = {
  bin: { id: 'bin-lora-001', eui: '24e124128c140062' },
  lamp: { id: 'lamp-lora-001', eui: '70b3d5e75e00a001' },
  cityBin: { id: 'bin-lora-002', eui: '70b3d5e75e00b002' },
  brokenBin: { id: 'bin-lora-003', eui: '70b3d5e75e00b003' },
};
const fleet: FleetFile = withDevices(
  {
    city: { name: 'Testov', timezone: 'Europe/Prague', location },
    gateways: [{ id: gateway, district: 'centrum', location }],
    devices: [],
  },
  [
    { id: devices.bin.id, kind: 'wasteBin', gatewayId: gateway },
    { id: devices.lamp.id, kind: 'streetlight', gatewayId: gateway },
    { id: devices.cityBin.id, kind: 'wasteBin', gatewayId: gateway },
    { id: devices.brokenBin.id, kind: 'wasteBin', gatewayId: gateway },
  ],
);

let influxd: LocalInfluxd;
let cloud: TestCloud;
let broker: Awaited<ReturnType<typeof startMosquitto>>;
/** ChirpStack's integration broker admits its users only. */
const user = { name: 'city-edge', password: 'chirpstack-secret' };
let dir: Awaited<ReturnType<typeof tempDir>>;
let agent: EdgeAgent;
let built: GatewayDrivers | undefined;
let downlinks: MqttClient;
const received: { topic: string; body: Record<string, unknown> }[] = [];
let uplinks = 0;

/** ChirpStack's time: RFC 3339 with nanoseconds and an offset. */
const chirpstackTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}456789+00:00`;

/** Publishes an event as ChirpStack's MQTT integration does, with mosquitto_pub. */
async function publish(eui: string, event: 'up' | 'status' | 'join', body: object | string): Promise<void> {
  const topic = `application/${app}/device/${eui}/event/${event}`;
  const message = typeof body === 'string' ? body : JSON.stringify(body);
  await run('mosquitto_pub', [
    '-h',
    '127.0.0.1',
    '-p',
    new URL(broker.url).port,
    '-u',
    user.name,
    '-P',
    user.password,
    '-q',
    '1',
    '-t',
    topic,
    '-m',
    message,
  ]);
}

function uplink(eui: string, fPort: number, hex: string, at = Date.now()) {
  uplinks++;
  return {
    deduplicationId: `00000000-0000-4000-8000-${String(uplinks).padStart(12, '0')}`,
    time: chirpstackTime(at),
    deviceInfo: {
      tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
      applicationId: app,
      applicationName: 'City sensors',
      deviceProfileName: 'profile',
      deviceName: eui,
      devEui: eui,
    },
    devAddr: '00189440',
    dr: 5,
    fCnt: uplinks,
    fPort,
    data: Buffer.from(hex.replace(/\s/g, ''), 'hex').toString('base64'),
    rxInfo: [{ gatewayId: '0016c001f153a14c', rssi: -97, snr: 7.5 }],
  };
}

async function latest(deviceId: string): Promise<Record<string, unknown>> {
  const { body } = await getJson<{ latest?: Record<string, unknown> }>(
    `${cloud.apiUrl}/api/v1/devices/${deviceId}`,
  );
  return body.latest ?? {};
}

/** Waits until the device's latest values in the cloud include `expected`. */
function stored(deviceId: string, expected: Record<string, unknown>) {
  return waitFor(`${deviceId} to report ${JSON.stringify(expected)}`, async () => {
    await cloud.cloud.flush();
    const values = await latest(deviceId);
    return Object.entries(expected).every(([k, v]) => values[k] === v) ? values : undefined;
  });
}

async function influxRows(measurement: string, deviceId: string) {
  await cloud.cloud.flush();
  const [series] = await cloud.influx.select(`SELECT * FROM "${measurement}" WHERE device = '${deviceId}'`);
  return rows(series);
}

async function command(deviceId: string, body: object) {
  const res = await apiFetch(`${cloud.apiUrl}/api/v1/devices/${deviceId}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ command: body }),
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  return waitFor(`command ${JSON.stringify(body)} to end`, async () => {
    const { body: c } = await getJson<{ status: string; detail?: string }>(
      `${cloud.apiUrl}/api/v1/commands/${id}`,
    );
    return ['succeeded', 'failed', 'rejected', 'expired'].includes(c.status) ? c : undefined;
  });
}

/** The health of one of the entry's drivers; the first (the bins') has the entry's own errors too. */
function health(driver = 0) {
  if (!built) throw new Error('the chirpstack driver was not built');
  return (built.drivers[driver] as ChirpstackDriver).health();
}

beforeAll(async () => {
  [influxd, dir] = await Promise.all([startTestInfluxd(), tempDir('chirpstack')]);
  broker = await startMosquitto(dir.path, user);
  cloud = await startTestCloud(influxd.url, fleet);
  await mkdir(join(dir.path, 'codecs'));
  // A city's codec: one byte of fill level in percent, one of battery.
  await writeFile(
    join(dir.path, 'codecs', 'city-bin.js'),
    `function decodeUplink(input) {
       if (input.bytes.length !== 2) return { errors: ['expected 2 bytes'] };
       return { data: { metrics: { fillingLevel: input.bytes[0], batteryLevel: input.bytes[1] } } };
     }`,
  );
  await writeFile(join(dir.path, 'codecs', 'endless.js'), 'function decodeUplink(input) { for (;;) {} }');
  const table = {
    models: {
      'em310-udl': {
        kind: 'wasteBin',
        codec: 'milesight-em310-udl',
        variables: { emptyDistanceMm: '1600', fullDistanceMm: '400' },
      },
      ul2030: { kind: 'streetlight', codec: 'nas-ul20xx', confirmed: true },
      'city-bin': { kind: 'wasteBin', codecFile: 'codecs/city-bin.js' },
      endless: { kind: 'wasteBin', codecFile: 'codecs/endless.js' },
    },
    devices: [
      { devEui: devices.bin.eui.toUpperCase(), deviceId: devices.bin.id, model: 'em310-udl' },
      { devEui: devices.lamp.eui, deviceId: devices.lamp.id, model: 'ul2030' },
      { devEui: devices.cityBin.eui, deviceId: devices.cityBin.id, model: 'city-bin' },
      { devEui: devices.brokenBin.eui, deviceId: devices.brokenBin.id, model: 'endless' },
    ],
  };
  await writeFile(join(dir.path, 'devices.json'), JSON.stringify(table));
  const config = edgeConfig.parse({
    gatewayId: gateway,
    mqtt: { url: cloud.mqttUrl, password: await cloud.provision(gateway) },
    dataDir: join(dir.path, 'edge'),
    reportingIntervalS: 0.1,
    heartbeatIntervalS: 60,
    drivers: [
      {
        type: 'chirpstack',
        mqtt: { url: broker.url, username: user.name, password: user.password },
        applicationId: app,
        deviceTable: join(dir.path, 'devices.json'),
        // A second for a codec, however busy the machine: the endless one is stopped by QuickJS.
        sandbox: { timeoutMs: 1_000, terminateAfterMs: 20_000 },
      },
    ],
  });
  // The real factory, and a hold of what it built (to read the driver's health).
  const keeping: DriverFactory = {
    settings: chirpstackDriverFactory.settings,
    create: (settings, context) => {
      built = chirpstackDriverFactory.create(settings as never, context);
      return built;
    },
  };
  agent = composeAgent({
    config,
    devices: fleet.devices,
    city: fleet.city,
    registry: new DriverRegistry({ chirpstack: keeping }),
    log: silentLog,
  });
  downlinks = await connectAsync(broker.url, {
    clientId: 'chirpstack-downlinks',
    username: user.name,
    password: user.password,
    reconnectPeriod: 0,
  });
  downlinks.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString()) }));
  await downlinks.subscribeAsync(`application/${app}/device/+/command/down`, { qos: 1 });
  await agent.start();
  await waitFor('the driver connected to the ChirpStack broker', () => health().state === 'ok');
});

afterAll(async () => {
  await agent?.stop();
  await downlinks?.endAsync();
  await cloud?.stop();
  await Promise.all([influxd?.stop(), broker?.stop()]);
  await dir?.remove();
});

describe('LoRaWAN devices through ChirpStack', () => {
  it('stores a waste-bin sensor uplink (EM310-UDL) with the values its frame carries, at the uplink time', async () => {
    const at = Date.now() - 5_000;
    // Battery 97 %, distance 800 mm: 66.7 % full between 1600 mm (empty) and 400 mm (full).
    await publish(devices.bin.eui, 'up', uplink(devices.bin.eui, 85, '017561 03822003 040000', at));
    await stored(devices.bin.id, { fillingLevel: 66.7, batteryLevel: 97 });
    const [row] = await influxRows('wasteBin', devices.bin.id);
    expect(row).toMatchObject({
      time: at,
      device: devices.bin.id,
      gateway,
      kind: 'wasteBin',
      fillingLevel: 66.7,
      batteryLevel: 97,
    });
  });

  it('stores an uplink once however often it arrives, and a status event as the battery level', async () => {
    const again = uplink(devices.bin.eui, 85, '017550 0382E803', Date.now() - 4_000);
    await publish(devices.bin.eui, 'up', again);
    await publish(devices.bin.eui, 'up', again);
    await publish(devices.bin.eui, 'status', {
      deduplicationId: '9c0f0c3e-4d3f-4b8e-9a43-7f7a0d9c1e22',
      time: chirpstackTime(Date.now() - 3_000),
      deviceInfo: { applicationId: app, devEui: devices.bin.eui },
      margin: 10,
      batteryLevel: 77.42,
    });
    await stored(devices.bin.id, { batteryLevel: 77.4 });
    const values = await influxRows('wasteBin', devices.bin.id);
    // The first uplink, the repeated one (stored once: 50 % full) and the status.
    expect(values.map((r) => [r.fillingLevel ?? null, r.batteryLevel])).toEqual([
      [66.7, 97],
      [50, 80],
      [null, 77.4],
    ]);
  });

  it("stores a lamp controller's status and usage (NAS UL20xx)", async () => {
    await publish(devices.lamp.eui, 'join', {
      deduplicationId: 'c9dbe358-2578-4fb7-b295-66b44edc45a6',
      time: chirpstackTime(Date.now() - 3_000),
      deviceInfo: { applicationId: app, devEui: devices.lamp.eui },
      devAddr: '00189440',
    });
    // The data sheet's status example: two profiles, the first at 50 %.
    await publish(
      devices.lamp.eui,
      'up',
      uplink(devices.lamp.eui, 24, 'DFD41D5E004B041502AE05050AFF32030306FF00'),
    );
    // Usage of the internal meter: 123456 Wh, 61 W.
    await publish(devices.lamp.eui, 'up', uplink(devices.lamp.eui, 25, 'ff03 40e20100 3d00'));
    await stored(devices.lamp.id, {
      dimmingLevel: 50,
      powerState: 'low',
      status: 'ok',
      energyConsumed: 123.456,
      activePower: 61,
    });
  });

  it('sends a command from the cloud as a downlink on the ChirpStack broker, and reports it succeeded (deferred)', async () => {
    const result = await command(devices.lamp.id, { action: 'setDimming', level: 40 });
    expect(result).toMatchObject({ status: 'succeeded', detail: 'deferred' });
    const downlink = await waitFor('the downlink', () =>
      received.find((r) => r.topic.includes(devices.lamp.eui)),
    );
    expect(downlink).toEqual({
      topic: `application/${app}/device/${devices.lamp.eui}/command/down`,
      body: {
        devEui: devices.lamp.eui,
        confirmed: true,
        fPort: 60,
        data: Buffer.from([0x01, 0xfe, 40]).toString('base64'),
      },
    });
  });

  it('rejects a command the device model cannot encode, and sends no downlink', async () => {
    const result = await command(devices.bin.id, { action: 'requestStatus' });
    expect(result).toMatchObject({ status: 'rejected', detail: 'unsupported' });
    expect(received.filter((r) => r.topic.includes(devices.bin.eui))).toEqual([]);
  });

  it("runs a city's codec in the sandbox; one that never returns is a counted error, and the others go on", async () => {
    const before = health().errors;
    await publish(devices.brokenBin.eui, 'up', uplink(devices.brokenBin.eui, 1, '2a'));
    await publish(devices.cityBin.eui, 'up', uplink(devices.cityBin.eui, 1, '2a5f'));
    await stored(devices.cityBin.id, { fillingLevel: 42, batteryLevel: 95 });
    expect(health()).toMatchObject({
      state: 'ok',
      errors: before + 1,
      lastError: 'codecTimeout',
    });
    expect(await influxRows('wasteBin', devices.brokenBin.id)).toEqual([]);
  });

  it('counts what it cannot read (not JSON, an unknown device, a broken frame) and is degraded until the next good uplink', async () => {
    const before = health().errors;
    await publish(devices.bin.eui, 'up', '{"deduplicationId": ');
    await publish('0000000000000001', 'up', uplink('0000000000000001', 85, '017564'));
    await publish(devices.bin.eui, 'up', uplink(devices.bin.eui, 85, '0382'));
    const degraded = await waitFor('three errors', () =>
      health().errors === before + 3 ? health() : undefined,
    );
    expect(degraded).toMatchObject({
      state: 'degraded',
      lastError: 'codecErrors',
    });
    await publish(devices.bin.eui, 'up', uplink(devices.bin.eui, 85, '017563'));
    await stored(devices.bin.id, { batteryLevel: 99 });
    expect(health()).toMatchObject({ driver: 'chirpstack', state: 'ok', errors: before + 3 });
    // The lamps' driver of the same entry counts none of it (the agent adds the entry's drivers up).
    expect(health(1)).toMatchObject({ state: 'ok', errors: 0 });
  });
});
