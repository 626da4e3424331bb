/** Valid contract values shared by the unit tests; each test changes one thing and expects a rejection. */

export const TS = '2026-11-22T16:00:00.000Z';
export const GATEWAY = 'gw-centrum-01';

export const validReadings = {
  streetlight: {
    deviceId: 'lamp-000001',
    kind: 'streetlight',
    ts: TS,
    metrics: {
      powerState: 'low',
      dimmingLevel: 40,
      activePower: 31.5,
      energyConsumed: 1234.5,
      voltage: 230.1,
      current: 0.14,
      powerFactor: 0.97,
      status: 'ok',
      ambientLight: 2.5,
      operatingHours: 10_000,
    },
  },
  wasteBin: {
    deviceId: 'bin-000002',
    kind: 'wasteBin',
    ts: TS,
    metrics: {
      fillingLevel: 72.5,
      temperature: 8.5,
      tiltAngle: 3,
      lidOpen: false,
      batteryLevel: 88,
      status: 'ok',
      dateLastEmptying: '2026-11-20T07:30:00+01:00',
    },
  },
  camera: {
    deviceId: 'cam-000003',
    kind: 'camera',
    ts: TS,
    metrics: {
      streamStatus: 'online',
      peopleCount: 12,
      crowdDensity: 0.4,
      occupancy: 35,
      vehicleCount: 4,
      averageVehicleSpeed: 27.5,
      rsrp: -95,
      sinr: 12,
      uplinkBitrate: 4_000,
      latency: 18,
      tamperDetected: false,
    },
  },
  evCharger: {
    deviceId: 'evc-000004',
    kind: 'evCharger',
    ts: TS,
    metrics: {
      connectorStatus: 'Charging',
      errorCode: 'NoError',
      activePower: 10.8,
      sessionEnergy: 6.4,
      cumulativeEnergy: 18_250.7,
      sessionDuration: 2_460,
      powerLimit: 22,
      ratedPower: 22,
      temperature: 31.5,
    },
  },
} as const;

export type FixtureKind = keyof typeof validReadings;
export const fixtureKinds = Object.keys(validReadings) as FixtureKind[];

/** A deep copy of the valid reading of `kind` with `metrics` merged in, as a plain mutable object. */
export function readingWith(
  kind: FixtureKind,
  metrics: Record<string, unknown> = {},
): Record<string, unknown> {
  const base = structuredClone(validReadings[kind]) as unknown as { metrics: Record<string, unknown> };
  return { ...base, metrics: { ...base.metrics, ...metrics } };
}

export const validEvent = {
  deviceId: 'bin-000002',
  kind: 'wasteBin',
  ts: TS,
  type: 'tilted',
  values: { tiltAngle: 85 },
} as const;

export const validHeartbeat = {
  v: 1,
  gatewayId: GATEWAY,
  sentAt: TS,
  uptime: 3_600.5,
  queueDepth: 0,
  droppedReadings: 0,
  deviceCount: 250,
  softwareVersion: '0.1.0',
  memoryRss: 52_428_800,
  configVersion: 0,
} as const;

export const COMMAND_ID = '0b5f8c5e-3d6a-4b7e-9c1d-2a4f6e8b0c13';
