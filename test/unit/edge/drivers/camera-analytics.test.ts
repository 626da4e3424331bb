import { describe, expect, it } from 'vitest';
import {
  crosslineCounts,
  isVehicleClass,
  occupancyCounts,
  parseAxisEnvelope,
} from '../../../../edge/drivers/camera-analytics/axis-event.ts';
import {
  cameraAnalyticsDriverFactory,
  cameraAnalyticsSettings,
} from '../../../../edge/drivers/camera-analytics/factory.ts';
import {
  CameraTally,
  crossedSince,
  occupancyMetrics,
} from '../../../../edge/drivers/camera-analytics/tally.ts';

/** The Crossline counting payload of Axis's documentation (the Grafana how-to). */
const documented = {
  topic: 'axis:CameraApplicationPlatform/ObjectAnalytics/Device1Scenario1',
  timestamp: 1670518346712,
  serial: '0123456789AB',
  message: {
    source: {},
    key: {},
    data: {
      startTime: '2022-12-06T22:01:25Z',
      reason: 'car',
      total: '20960',
      totalBus: '0',
      totalCar: '18103',
      totalHuman: '0',
      'totalMotorcycle/bicycle': '0',
      totalTruck: '2857',
      totalUnknown: '0',
    },
  },
};
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('AXIS Object Analytics events', () => {
  it("reads the camera, the scenario and the counts of Axis's documented payload", () => {
    const parsed = parseAxisEnvelope(bytes(documented));
    expect(parsed.ok && parsed.envelope.serial).toBe('0123456789AB');
    expect(parsed.ok && parsed.envelope.scenario).toBe('Device1Scenario1');
    expect(crosslineCounts(documented.message.data)).toEqual({
      startTime: '2022-12-06T22:01:25Z',
      reason: 'car',
      humans: 0,
      vehicles: 18_103 + 2_857,
    });
  });

  it.each([
    ['not JSON', 'x{', 'invalidJson'],
    ['a repeated key', '{"serial":"0123456789AB","serial":"0123456789AC"}', 'invalidJson'],
    ['no serial', { ...documented, serial: undefined }, 'invalidEvent'],
    ['a serial that is not one', { ...documented, serial: 'Jana Novakova' }, 'invalidEvent'],
    ['a topic of another application', { ...documented, topic: 'axis:Device/IO/Port' }, 'invalidEvent'],
    ['no data', { ...documented, message: {} }, 'invalidEvent'],
  ])('refuses %s', (_what, payload, reason) => {
    expect(parseAxisEnvelope(bytes(payload))).toEqual({ ok: false, reason });
  });

  it('counts only the classes an event has, and refuses counts that are not numbers', () => {
    expect(crosslineCounts({ totalHuman: '7', reason: 'human' })).toEqual({ reason: 'human', humans: 7 });
    expect(crosslineCounts({ totalCar: 3, totalBus: '1' })).toEqual({ vehicles: 4 });
    expect(crosslineCounts({ total: '5' })).toBeUndefined();
    expect(crosslineCounts({ totalHuman: '1AB 2345' })).toBeUndefined();
    expect(crosslineCounts({ totalHuman: -1 })).toBeUndefined();
  });

  it('reads an occupancy: the total and the humans', () => {
    expect(occupancyCounts({ total: '10', human: '8', car: '2' })).toEqual({ total: 10, humans: 8 });
    expect(occupancyCounts({ total: 3 })).toEqual({ total: 3 });
    expect(occupancyCounts({ human: '3' })).toBeUndefined();
  });

  it('knows the vehicle classes', () => {
    expect(['car', 'Truck', 'bus', 'motorcycle/bicycle'].every(isVehicleClass)).toBe(true);
    expect(isVehicleClass('human')).toBe(false);
    expect(isVehicleClass(undefined)).toBe(false);
  });
});

describe('crossings between two events', () => {
  const at = (humans: number, vehicles: number, startTime = 'morning', reason = 'human') => ({
    startTime,
    reason,
    humans,
    vehicles,
  });

  it('counts only the object of a first event', () => {
    expect(crossedSince(undefined, at(500, 70))).toEqual({ humans: 1, vehicles: 0 });
    expect(crossedSince(undefined, at(500, 70, 'morning', 'Truck'))).toEqual({ humans: 0, vehicles: 1 });
    expect(crossedSince(undefined, at(500, 70, 'morning', 'unknown'))).toEqual({ humans: 0, vehicles: 0 });
    expect(crossedSince(undefined, { humans: 500 })).toEqual({ humans: 0, vehicles: 0 });
  });

  it('counts the increase since the last event, all of the totals after a reset, nothing when they fell', () => {
    expect(crossedSince(at(10, 4), at(13, 4))).toEqual({ humans: 3, vehicles: 0 });
    expect(crossedSince(at(10, 4), at(10, 4))).toEqual({ humans: 0, vehicles: 0 });
    expect(crossedSince(at(10, 4), at(2, 1, 'noon'))).toEqual({ humans: 2, vehicles: 1 });
    expect(crossedSince(at(10, 4), at(9, 5))).toEqual({ humans: 0, vehicles: 1 });
    expect(crossedSince({ startTime: 's', humans: 3 }, { startTime: 's', humans: 4, vehicles: 2 })).toEqual({
      humans: 1,
      vehicles: 2,
    });
    expect(crossedSince({ startTime: 's', humans: 3, vehicles: 2 }, { startTime: 's', vehicles: 5 })).toEqual(
      {
        humans: 0,
        vehicles: 3,
      },
    );
  });
});

describe('occupancy metrics', () => {
  it('is a share of the capacity, at most 100 %, and people per m²', () => {
    expect(occupancyMetrics({ total: 10, humans: 8 }, { capacity: 40, areaM2: 200 })).toEqual({
      occupancy: 25,
      crowdDensity: 0.04,
    });
    expect(occupancyMetrics({ total: 1 }, { capacity: 3 })).toEqual({ occupancy: 33.3 });
    expect(occupancyMetrics({ total: 50 }, { capacity: 40 })).toEqual({ occupancy: 100 });
    expect(occupancyMetrics({ total: 5 }, { areaM2: 10 })).toEqual({});
  });
});

describe('CameraTally', () => {
  it('adds up the crossings of its line scenarios until taken, and keeps the latest occupancy', () => {
    const tally = new CameraTally();
    expect(tally.take()).toBeUndefined();
    tally.crossline('Device1Scenario1', { startTime: 's', reason: 'human', humans: 5, vehicles: 1 });
    tally.crossline('Device1Scenario1', { startTime: 's', reason: 'human', humans: 9, vehicles: 1 });
    tally.crossline('Device1Scenario3', { startTime: 's', reason: 'car', humans: 0, vehicles: 9 });
    tally.crossline('Device1Scenario1', { startTime: 's', reason: 'human', humans: 6, vehicles: 1 });
    tally.crossline('Device1Scenario3', { startTime: 's', reason: 'car', humans: 0, vehicles: 8 });
    tally.occupancy({ total: 4 }, { capacity: 8 });
    tally.occupancy({ total: 2 }, { capacity: 8 });
    expect(tally.take()).toEqual({ peopleCount: 5, vehicleCount: 1, occupancy: 25 });
    expect(tally.take()).toBeUndefined();
    tally.crossline('Device1Scenario1', { startTime: 's', reason: 'human', humans: 12, vehicles: 1 });
    tally.crossline('Device1Scenario3', { startTime: 's', reason: 'car', humans: 1, vehicles: 9 });
    expect(tally.take()).toEqual({ peopleCount: 4, vehicleCount: 0 });
  });

  it('leaves a class out when the events do not count it', () => {
    const tally = new CameraTally();
    tally.crossline('Device1Scenario1', { reason: 'human', humans: 5 });
    expect(tally.take()).toEqual({ peopleCount: 1 });
    tally.crossline('Device1Scenario2', { reason: 'car', vehicles: 5 });
    expect(tally.take()).toEqual({ vehicleCount: 1 });
  });

  it('takes an event older than one taken only when a count it has went down', () => {
    const tally = new CameraTally();
    tally.crossline('Device1Scenario1', { startTime: 's', reason: 'human', humans: 5 });
    tally.crossline('Device1Scenario1', { startTime: 's', reason: 'car', humans: 6, vehicles: 2 });
    expect(tally.take()).toEqual({ peopleCount: 2, vehicleCount: 2 });
  });

  it('counts lower totals after a reset (a new startTime) as new crossings', () => {
    const tally = new CameraTally();
    tally.crossline('Device1Scenario1', { startTime: 's', reason: 'human', humans: 5 });
    tally.crossline('Device1Scenario1', { startTime: 't', reason: 'human', humans: 2 });
    expect(tally.take()).toEqual({ peopleCount: 3 });
  });
});

describe('camera-analytics settings', () => {
  const camera = {
    deviceId: 'cam-1',
    serial: 'B8A44F000001',
    scenarios: [{ scenario: 'Device1Scenario1', type: 'crossline' }],
  };
  const base = { broker: { url: 'mqtt://127.0.0.1:1883' }, cameras: [camera] };

  it('fills in the default topic', () => {
    expect(cameraAnalyticsSettings.parse(base).topic).toBe('axis/+/event/#');
  });

  it.each([
    ['an occupancy without capacity or area', { scenario: 'Device1Scenario2', type: 'occupancy' }],
    ['a capacity on a line', { scenario: 'Device1Scenario2', type: 'crossline', capacity: 3 }],
    ['a scenario not named as topics end', { scenario: 'entrance', type: 'crossline' }],
  ])('refuses %s', (_what, scenario) => {
    expect(
      cameraAnalyticsSettings.safeParse({ ...base, cameras: [{ ...camera, scenarios: [scenario] }] }).success,
    ).toBe(false);
  });

  it('refuses a password in the settings (a file holds it) and a serial that is not one', () => {
    expect(
      cameraAnalyticsSettings.safeParse({ ...base, broker: { ...base.broker, password: 'x' } }).success,
    ).toBe(false);
    expect(
      cameraAnalyticsSettings.safeParse({ ...base, cameras: [{ ...camera, serial: 'cam-one' }] }).success,
    ).toBe(false);
  });
});

describe('the camera-analytics factory', () => {
  const gatewayId = 'gw-1';
  const city = { name: 'T', timezone: 'UTC', location: { lat: 0, lon: 0 } };
  const device = (id: string, kind: 'camera' | 'streetlight') => ({
    id,
    kind,
    gatewayId,
    district: 'd',
    location: city.location,
  });
  const fleet = [device('cam-1', 'camera'), device('cam-2', 'camera'), device('lamp-1', 'streetlight')];
  const entry = (deviceId: string, serial: string) => ({
    deviceId,
    serial,
    scenarios: [{ scenario: 'Device1Scenario1', type: 'crossline' }],
  });
  const create = (cameras: object[]) =>
    cameraAnalyticsDriverFactory.create(
      cameraAnalyticsSettings.parse({ broker: { url: 'mqtt://127.0.0.1:1' }, cameras }),
      { gatewayId, devices: fleet, city },
    );

  it("builds one driver of the devices' kind, connecting at its first poll only", () => {
    const { drivers } = create([entry('cam-1', 'B8A44F000001'), entry('cam-2', 'B8A44F000002')]);
    expect(drivers.map((d) => [d.kind, d.deviceCount])).toEqual([['camera', 2]]);
    expect(drivers[0]?.health()).toEqual({ driver: 'camera-analytics', state: 'starting', errors: 0 });
  });

  it('refuses a device the gateway does not have, one whose kind has no counts, a serial given twice', () => {
    expect(() => create([entry('cam-9', 'B8A44F000001')])).toThrow(
      'cameras[0]: cam-9 is not a device of gw-1',
    );
    expect(() => create([entry('lamp-1', 'B8A44F000001')])).toThrow(
      'cameras[0]: lamp-1 is a streetlight, whose readings carry no counts',
    );
    expect(() => create([entry('cam-1', 'B8A44F000001'), entry('cam-2', 'b8a44f000001')])).toThrow(
      'cameras[1]: serial B8A44F000001 is given twice',
    );
  });
});
