import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cameraAnalyticsDriverFactory,
  cameraAnalyticsSettings,
} from '../../edge/drivers/camera-analytics/factory.ts';
import type { DeviceDriver } from '../../shared/driver.ts';
import type { FleetDevice } from '../../shared/fleet.ts';
import type { Reading } from '../../shared/kinds/index.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import { personalData } from '../privacy/markers.ts';

/**
 * The camera-analytics driver against a real Mosquitto, fed AXIS Object Analytics events in the
 * format Axis cameras publish: crossings added up (late and repeated events, a counter reset),
 * occupancy as a share of the area, and everything else an event holds (snapshots, object ids,
 * boxes, plates) dropped at the edge: found in no reading, no log line, no health.
 */
const gatewayId = 'gw-cam-01';
const city = { name: 'Test', timezone: 'UTC', location: { lat: 50.08, lon: 14.42 } };
const camera = (id: string): FleetDevice => ({
  id,
  kind: 'camera',
  gatewayId,
  district: 'centre',
  location: city.location,
});
const SERIAL_1 = 'B8A44F000001';
const SERIAL_2 = 'B8A44F000002';
const p = personalData(90);

let dir: Awaited<ReturnType<typeof tempDir>>;
let broker: Awaited<ReturnType<typeof startMosquitto>>;
let cameraClient: MqttClient;
let driver: DeviceDriver;
const capture = captureLog();
const readings: Reading[] = [];

beforeAll(async () => {
  dir = await tempDir('camera-analytics');
  broker = await startMosquitto(dir.path, { name: 'site', password: 'site-secret' });
  const passwordFile = join(dir.path, 'broker-password');
  writeFileSync(passwordFile, 'site-secret\n');
  const settings = cameraAnalyticsSettings.parse({
    broker: { url: broker.url, username: 'site', passwordFile },
    cameras: [
      {
        deviceId: 'cam-1',
        serial: SERIAL_1,
        scenarios: [
          { scenario: 'Device1Scenario1', type: 'crossline' },
          { scenario: 'Device1Scenario2', type: 'occupancy', capacity: 40, areaM2: 200 },
        ],
      },
      {
        deviceId: 'cam-2',
        serial: SERIAL_2.toLowerCase(),
        scenarios: [{ scenario: 'Device1Scenario1', type: 'crossline' }],
      },
    ],
  });
  [driver] = cameraAnalyticsDriverFactory.create(settings, {
    gatewayId,
    devices: [camera('cam-1'), camera('cam-2')],
    city,
    name: 'square',
    log: capture.log,
  }).drivers as [DeviceDriver];
  cameraClient = await connectAsync(broker.url, {
    clientId: 'axis-camera',
    username: 'site',
    password: 'site-secret',
  });
  expect(driver.health()).toEqual({
    driver: 'camera-analytics',
    name: 'square',
    state: 'starting',
    errors: 0,
  });
  await driver.poll(new Date());
  await waitFor('the driver subscribed', () => driver.health().state === 'ok');
});

afterAll(async () => {
  await driver?.close();
  await cameraClient?.endAsync();
  await broker?.stop();
  await dir?.remove();
});

/** Everything a camera may put in an event that is not a count: none of it may pass the edge. */
const extras = () => ({
  objectId: p.mac,
  classTypes: 'human',
  image: p.imageBase64,
  boundingBox: { left: 0.1, top: 0.2, right: 0.3, bottom: 0.9 },
  plate: p.plate,
  embedding: p.embedding,
  note: p.text,
});

/** An event as an Axis camera publishes it (its topic with namespaces, the serial in the payload). */
async function publish(serial: string, scenario: string, data: Record<string, unknown>, raw?: string) {
  const topic = `axis/${serial}/event/tns:axis/CameraApplicationPlatform/ObjectAnalytics/${scenario}`;
  const payload =
    raw ??
    JSON.stringify({
      topic: `axis:CameraApplicationPlatform/ObjectAnalytics/${scenario}`,
      timestamp: Date.now(),
      serial,
      message: { source: { name: p.name }, key: {}, data: { ...data, ...extras() } },
    });
  await cameraClient.publishAsync(topic, payload, { qos: 1 });
}

const crossline = (startTime: string, reason: string, human: number, car: number, truck = 0) => ({
  startTime,
  reason,
  total: String(human + car + truck),
  totalBus: '0',
  totalCar: String(car),
  totalHuman: String(human),
  'totalMotorcycle/bicycle': '0',
  totalTruck: String(truck),
  totalUnknown: '0',
});

/** Polls until `done` holds for the readings so far (each poll takes what came since the last). */
async function pollUntil(what: string, done: (all: Reading[]) => boolean) {
  await waitFor(what, async () => {
    readings.push(...(await driver.poll(new Date())).readings);
    return done(readings);
  });
}

const sum = (deviceId: string, metric: 'peopleCount' | 'vehicleCount') =>
  readings
    .filter((r) => r.deviceId === deviceId)
    .reduce((n, r) => n + ((r.metrics as Record<string, number>)[metric] ?? 0), 0);

describe('the camera-analytics driver', () => {
  it('adds up crossings: the first event alone, then the increase of the totals; late and repeated events add nothing; a reset counts anew', async () => {
    const morning = '2026-11-22T06:00:00Z';
    await publish(SERIAL_1, 'Device1Scenario1', crossline(morning, 'human', 120, 30));
    await publish(SERIAL_1, 'Device1Scenario1', crossline(morning, 'human', 121, 30));
    await publish(SERIAL_1, 'Device1Scenario1', crossline(morning, 'car', 121, 31));
    await publish(SERIAL_1, 'Device1Scenario1', crossline(morning, 'car', 121, 31));
    await publish(SERIAL_1, 'Device1Scenario1', crossline(morning, 'human', 120, 30));
    await publish(SERIAL_1, 'Device1Scenario1', crossline('2026-11-22T12:00:00Z', 'human', 2, 0, 1));
    await publish(SERIAL_2, 'Device1Scenario1', crossline(morning, 'truck', 0, 0, 5));
    await pollUntil(
      'the crossings of both cameras',
      () => sum('cam-1', 'peopleCount') === 4 && sum('cam-2', 'vehicleCount') === 1,
    );
    expect(sum('cam-1', 'vehicleCount')).toBe(2);
    expect(sum('cam-2', 'peopleCount')).toBe(0);
    for (const r of readings) expect(r).toMatchObject({ kind: 'camera' });
  });

  it('turns occupancy into a share of the area and people per square metre', async () => {
    readings.length = 0;
    await publish(SERIAL_1, 'Device1Scenario2', { scenario: 'Occupancy', total: '10', human: '8', car: '2' });
    await pollUntil('the occupancy', (all) => all.some((r) => 'occupancy' in r.metrics));
    expect(readings.at(-1)?.metrics).toEqual({ occupancy: 25, crowdDensity: 0.04 });
  });

  it('counts and drops what it cannot read or place, and keeps reading', async () => {
    const before = driver.health().errors;
    await publish(SERIAL_1, 'Device1Scenario1', {}, `{"topic":"${p.plate}", "image":"${p.imageBase64}"`);
    await publish('B8A44F0000FF', 'Device1Scenario1', crossline('x', 'human', 1, 0));
    await publish(SERIAL_1, 'Device1Scenario9', crossline('x', 'human', 1, 0));
    await publish(SERIAL_1, 'Device1Scenario1', { totalHuman: p.plate });
    await publish(SERIAL_2, 'Device1Scenario1', crossline('2026-11-22T06:00:00Z', 'truck', 0, 0, 6));
    readings.length = 0;
    await pollUntil('the next good event', () => sum('cam-2', 'vehicleCount') === 1);
    expect(driver.health()).toMatchObject({ state: 'ok', errors: before + 4 });
    const codes = capture.entries
      .filter((e) => e.msg.startsWith('analytics event dropped'))
      .map((e) => e.code);
    expect(codes).toEqual(
      expect.arrayContaining(['invalidJson', 'unknownCamera', 'unknownScenario', 'invalidEvent']),
    );
  });

  it('refuses commands: the analytics take none', async () => {
    expect(await driver.execute('cam-1', { action: 'reboot' }, new Date())).toEqual({
      status: 'rejected',
      reason: 'unsupported',
    });
  });

  it('lets nothing of an event but its counts past the edge: not in readings, logs or health', () => {
    const everything = JSON.stringify([readings, capture.entries, driver.health()]);
    for (const needle of p.needles) expect(everything).not.toContain(needle);
    expect(everything).not.toContain('boundingBox');
  });
});
