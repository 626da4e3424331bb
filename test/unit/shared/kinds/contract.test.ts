import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { timestamp } from '../../../../shared/ids.ts';
import { kinds } from '../../../../shared/kinds/index.ts';

/**
 * The contract of each kind, written out: metric names, units and bounds (each tried at its
 * minimum, just below, at its maximum and just above), enum values, events, commands and what
 * counts as healthy. A change to any of these is a change of the public contract and fails here.
 */
type MetricContract =
  | { unit: string; min: number; max: number; int?: true }
  | { values: string[] }
  | 'boolean'
  | 'timestamp';

interface KindContract {
  fiwareType: string;
  description: string;
  metrics: Record<string, MetricContract>;
  events: string[];
  commands: Record<string, unknown>[];
  healthy: [Record<string, unknown>, boolean][];
}

const contracts: Record<string, KindContract> = {
  streetlight: {
    fiwareType: 'Streetlight',
    description: 'street light',
    metrics: {
      powerState: { values: ['on', 'off', 'low', 'bootingUp'] },
      dimmingLevel: { unit: '%', min: 0, max: 100 },
      activePower: { unit: 'W', min: 0, max: 10_000 },
      energyConsumed: { unit: 'kWh', min: 0, max: 10_000_000 },
      voltage: { unit: 'V', min: 0, max: 1_000 },
      current: { unit: 'A', min: 0, max: 100 },
      powerFactor: { unit: '1', min: 0, max: 1 },
      status: { values: ['ok', 'defectiveLamp', 'columnIssue', 'brokenLantern'] },
      ambientLight: { unit: 'lx', min: 0, max: 200_000 },
      operatingHours: { unit: 'h', min: 0, max: 1_000_000 },
    },
    events: ['lampFault', 'lampRepaired', 'columnIssue', 'switchedOn', 'switchedOff'],
    commands: [
      { action: 'switch', on: true },
      { action: 'setDimming', level: 40 },
      { action: 'returnToSchedule' },
    ],
    healthy: [
      [{}, true],
      [{ status: 'ok' }, true],
      [{ powerState: 'off' }, true],
      [{ status: 'defectiveLamp' }, false],
      [{ status: 'columnIssue' }, false],
      [{ status: 'brokenLantern' }, false],
    ],
  },
  wasteBin: {
    fiwareType: 'WasteContainer',
    description: 'waste bin',
    metrics: {
      fillingLevel: { unit: '%', min: 0, max: 100 },
      temperature: { unit: '°C', min: -60, max: 200 },
      tiltAngle: { unit: '°', min: 0, max: 180 },
      lidOpen: 'boolean',
      batteryLevel: { unit: '%', min: 0, max: 100 },
      status: { values: ['ok', 'lidOpen', 'dropped', 'moved', 'vandalized', 'burning', 'unknown'] },
      dateLastEmptying: 'timestamp',
    },
    events: ['emptied', 'tilted', 'lidOpened', 'lidClosed', 'fireRisk', 'batteryLow'],
    commands: [{ action: 'requestStatus' }],
    healthy: [
      [{}, true],
      [{ status: 'ok' }, true],
      [{ status: 'lidOpen' }, true],
      [{ status: 'unknown' }, true],
      [{ fillingLevel: 100 }, true],
      [{ status: 'burning' }, false],
      [{ status: 'dropped' }, false],
      [{ status: 'vandalized' }, false],
      [{ status: 'moved' }, false],
    ],
  },
  camera: {
    fiwareType: 'CrowdFlowObserved + TrafficFlowObserved',
    description: '5G public-space camera',
    metrics: {
      streamStatus: { values: ['online', 'degraded', 'offline'] },
      peopleCount: { unit: '1', min: 0, max: 100_000, int: true },
      crowdDensity: { unit: '1/m²', min: 0, max: 20 },
      occupancy: { unit: '%', min: 0, max: 100 },
      vehicleCount: { unit: '1', min: 0, max: 100_000, int: true },
      averageVehicleSpeed: { unit: 'km/h', min: 0, max: 300 },
      rsrp: { unit: 'dBm', min: -160, max: -20 },
      sinr: { unit: 'dB', min: -30, max: 50 },
      uplinkBitrate: { unit: 'kbit/s', min: 0, max: 10_000_000 },
      latency: { unit: 'ms', min: 0, max: 60_000 },
      tamperDetected: 'boolean',
    },
    events: ['tamper', 'streamDown', 'streamUp', 'rebooted'],
    commands: [{ action: 'reboot' }, { action: 'setReportingInterval', seconds: 60 }],
    healthy: [
      [{}, true],
      [{ streamStatus: 'online' }, true],
      [{ streamStatus: 'degraded' }, true],
      [{ tamperDetected: false }, true],
      [{ streamStatus: 'offline' }, false],
      [{ tamperDetected: true }, false],
      [{ streamStatus: 'online', tamperDetected: true }, false],
      [{ streamStatus: 'offline', tamperDetected: false }, false],
    ],
  },
  evCharger: {
    fiwareType: 'EVChargingStation',
    description: 'EV charging point (one connector)',
    metrics: {
      connectorStatus: {
        values: [
          'Available',
          'Preparing',
          'Charging',
          'SuspendedEV',
          'SuspendedEVSE',
          'Finishing',
          'Reserved',
          'Unavailable',
          'Faulted',
        ],
      },
      errorCode: {
        values: [
          'ConnectorLockFailure',
          'EVCommunicationError',
          'GroundFailure',
          'HighTemperature',
          'InternalError',
          'LocalListConflict',
          'NoError',
          'OtherError',
          'OverCurrentFailure',
          'OverVoltage',
          'PowerMeterFailure',
          'PowerSwitchFailure',
          'ReaderFailure',
          'ResetFailure',
          'UnderVoltage',
          'WeakSignal',
        ],
      },
      activePower: { unit: 'kW', min: 0, max: 400 },
      sessionEnergy: { unit: 'kWh', min: 0, max: 1_000 },
      cumulativeEnergy: { unit: 'kWh', min: 0, max: 100_000_000 },
      sessionDuration: { unit: 's', min: 0, max: 30 * 86_400 },
      powerLimit: { unit: 'kW', min: 0, max: 400 },
      ratedPower: { unit: 'kW', min: 0, max: 400 },
      temperature: { unit: '°C', min: -60, max: 200 },
    },
    events: ['sessionStarted', 'sessionEnded', 'fault', 'faultCleared', 'rebooted'],
    commands: [
      { action: 'setPowerLimit', kW: 11 },
      { action: 'setAvailability', availability: 'unavailable' },
      { action: 'unlockConnector' },
      { action: 'reset', type: 'soft' },
    ],
    healthy: [
      [{}, true],
      [{ connectorStatus: 'Charging' }, true],
      [{ connectorStatus: 'Unavailable' }, true],
      [{ errorCode: 'NoError' }, true],
      [{ connectorStatus: 'Faulted' }, false],
      [{ connectorStatus: 'Faulted', errorCode: 'NoError' }, false],
      [{ errorCode: 'GroundFailure' }, false],
      [{ connectorStatus: 'Available', errorCode: 'HighTemperature' }, false],
    ],
  },
};

type Spec = (typeof kinds)[keyof typeof kinds];
const specs = Object.values(kinds) as Spec[];
const described = specs.filter((spec) => spec.kind in contracts);
const TS = '2026-11-22T16:00:00.000Z';
const accepts = (spec: Spec, metrics: Record<string, unknown>) =>
  spec.reading.safeParse({ deviceId: 'dev-1', kind: spec.kind, ts: TS, metrics }).success;
const shape = (spec: Spec) => spec.metrics.shape as Record<string, z.ZodType>;

describe.each(described)('the $kind contract', (spec) => {
  const contract = contracts[spec.kind] as KindContract;

  it('has exactly the metrics of the contract, each described', () => {
    expect(Object.keys(shape(spec))).toEqual(Object.keys(contract.metrics));
    expect(spec.fiwareType).toBe(contract.fiwareType);
    expect(spec.description).toBe(contract.description);
    expect(spec.reading.meta()).toEqual({
      id: `${spec.kind}Reading`,
      description: `One ${contract.description} reading`,
    });
    expect(spec.event.meta()).toEqual({ id: `${spec.kind}Event` });
  });

  for (const [metric, expected] of Object.entries(contract.metrics)) {
    if (typeof expected === 'object' && 'unit' in expected) {
      const { unit, min, max, int } = expected;
      const step = int ? 1 : 0.001;
      it(`${metric}: ${min} to ${max} ${unit}, both included`, () => {
        expect(shape(spec)[metric]?.meta()?.unit).toBe(unit);
        expect(accepts(spec, { [metric]: min })).toBe(true);
        expect(accepts(spec, { [metric]: max })).toBe(true);
        expect(accepts(spec, { [metric]: min - step })).toBe(false);
        expect(accepts(spec, { [metric]: max + step })).toBe(false);
        expect(accepts(spec, { [metric]: String(min) })).toBe(false);
        if (int) expect(accepts(spec, { [metric]: min + 0.5 })).toBe(false);
      });
    } else if (typeof expected === 'object') {
      it(`${metric}: one of ${expected.values.join(', ')}`, () => {
        for (const value of expected.values) expect(accepts(spec, { [metric]: value }), value).toBe(true);
        expect(accepts(spec, { [metric]: '' })).toBe(false);
        expect(accepts(spec, { [metric]: expected.values[0]?.toUpperCase() })).toBe(false);
      });
    } else {
      it(`${metric}: a ${expected}`, () => {
        const valid = expected === 'boolean' ? [true, false] : [TS, '2026-11-20T07:30:00+01:00'];
        for (const value of valid) expect(accepts(spec, { [metric]: value })).toBe(true);
        expect(accepts(spec, { [metric]: 'yesterday' })).toBe(false);
        if (expected === 'timestamp') {
          // Its own description, not only the generic one of every timestamp.
          expect(shape(spec)[metric]?.meta()?.description).not.toBe(timestamp.meta()?.description);
        }
        expect(accepts(spec, { [metric]: 1 })).toBe(false);
      });
    }
  }

  it('raises exactly the events of the contract', () => {
    expect(spec.events.options).toEqual(contract.events);
  });

  it('accepts the commands of the contract and no other', () => {
    const command = (c: unknown) =>
      spec.command.safeParse({ deviceId: 'dev-1', kind: spec.kind, command: c });
    for (const c of contract.commands) expect(command(c).success, JSON.stringify(c)).toBe(true);
    expect(command({ action: '' }).success).toBe(false);
  });

  it.each(contract.healthy)('healthy(%j) is %s', (latest, expected) => {
    expect(spec.healthy(latest as never)).toBe(expected);
  });
});

describe.each(specs)('every $kind metric', (spec) => {
  it('documents itself: a description, and a unit for numbers', () => {
    for (const [metric, schema] of Object.entries(shape(spec))) {
      const meta = schema.meta() as { unit?: string; description?: string } | undefined;
      expect(meta?.description, metric).toMatch(/^\S.*\S$/);
      if (schema.def.type === 'number') expect(meta?.unit, metric).toMatch(/^\S+/);
    }
  });
});
