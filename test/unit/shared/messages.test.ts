import { describe, expect, it } from 'vitest';
import {
  commandMessage,
  commandResult,
  configStatus,
  eventBatch,
  eventEnvelope,
  gatewayConfig,
  gatewayHeartbeat,
  gatewayStatus,
  maxEventsPerBatch,
  maxReadingsPerBatch,
  telemetryBatch,
  telemetryEnvelope,
} from '../../../shared/messages.ts';
import {
  COMMAND_ID,
  GATEWAY,
  readingWith,
  TS,
  validEvent,
  validHeartbeat,
  validReadings,
} from '../fixtures.ts';

const batch = (readings: unknown[], extra: Record<string, unknown> = {}) => ({
  v: 1,
  gatewayId: GATEWAY,
  sentAt: TS,
  batchId: 'b-1',
  readings,
  ...extra,
});

const allKinds = [validReadings.streetlight, validReadings.wasteBin, validReadings.camera];

describe('telemetryBatch', () => {
  it('accepts a batch with one valid reading of each kind', () => {
    expect(telemetryBatch.parse(batch(allKinds)).readings).toEqual(allKinds);
  });

  it('accepts exactly maxReadingsPerBatch readings and rejects 0 or one more', () => {
    const many = (n: number) => Array.from({ length: n }, () => validReadings.camera);
    expect(telemetryBatch.safeParse(batch(many(maxReadingsPerBatch))).success).toBe(true);
    expect(telemetryBatch.safeParse(batch(many(maxReadingsPerBatch + 1))).success).toBe(false);
    expect(telemetryBatch.safeParse(batch([])).success).toBe(false);
  });

  it('rejects the whole batch when one reading is invalid', () => {
    const bad = readingWith('streetlight', { dimmingLevel: Number.NaN });
    expect(telemetryBatch.safeParse(batch([validReadings.camera, bad])).success).toBe(false);
  });

  it.each([
    ['an unknown envelope field', { priority: 'high' }],
    ['another contract version', { v: 2 }],
    ['the version as a string', { v: '1' }],
    ['an invalid gateway id', { gatewayId: 'GW 1' }],
    ['a bad sentAt', { sentAt: '2026-13-01T00:00:00Z' }],
    ['an empty batch id', { batchId: '' }],
    ['a batch id over 64 characters', { batchId: 'b'.repeat(65) }],
  ])('rejects %s', (_, extra) => {
    expect(telemetryBatch.safeParse(batch([validReadings.camera], extra)).success).toBe(false);
  });

  it('rejects a batch without a batch id', () => {
    const { batchId: _, ...rest } = batch([validReadings.camera]);
    expect(telemetryBatch.safeParse(rest).success).toBe(false);
  });
});

describe('telemetryEnvelope', () => {
  it('accepts invalid readings, which are checked one by one later, but still bounds their number', () => {
    expect(telemetryEnvelope.safeParse(batch([{ junk: true }, 42])).success).toBe(true);
    expect(telemetryEnvelope.safeParse(batch([])).success).toBe(false);
    expect(telemetryEnvelope.safeParse(batch(Array(maxReadingsPerBatch + 1).fill(1))).success).toBe(false);
  });

  it('keeps the envelope strict', () => {
    expect(telemetryEnvelope.safeParse(batch([1], { extra: 1 })).success).toBe(false);
  });
});

describe('eventBatch', () => {
  const events = (list: unknown[], extra: Record<string, unknown> = {}) => ({
    v: 1,
    gatewayId: GATEWAY,
    sentAt: TS,
    batchId: 'e-1',
    events: list,
    ...extra,
  });

  it('accepts valid events and bounds their number', () => {
    expect(eventBatch.parse(events([validEvent]))).toEqual(events([validEvent]));
    expect(eventBatch.safeParse(events(Array(maxEventsPerBatch).fill(validEvent))).success).toBe(true);
    expect(eventBatch.safeParse(events([])).success).toBe(false);
    expect(eventBatch.safeParse(events(Array(maxEventsPerBatch + 1).fill(validEvent))).success).toBe(false);
  });

  it('rejects an invalid event and unknown fields', () => {
    expect(eventBatch.safeParse(events([{ ...validEvent, type: 'exploded' }])).success).toBe(false);
    expect(eventBatch.safeParse(events([validEvent], { priority: 'high' })).success).toBe(false);
    expect(eventEnvelope.safeParse(events([{ junk: 1 }])).success).toBe(true);
  });

  it('requires a batch id of 1 to 64 characters, like telemetry', () => {
    const { batchId: _, ...rest } = events([validEvent]);
    expect(eventBatch.safeParse(rest).success).toBe(false);
    expect(eventEnvelope.safeParse({ ...rest, events: [{ junk: 1 }] }).success).toBe(false);
    expect(eventBatch.safeParse(events([validEvent], { batchId: '' })).success).toBe(false);
    expect(eventBatch.safeParse(events([validEvent], { batchId: 'e'.repeat(64) })).success).toBe(true);
    expect(eventBatch.safeParse(events([validEvent], { batchId: 'e'.repeat(65) })).success).toBe(false);
    expect(eventBatch.safeParse(events([validEvent], { batchId: 7 })).success).toBe(false);
  });
});

describe('gatewayStatus', () => {
  it('accepts online with ts and the last will without ts', () => {
    const online = { v: 1, gatewayId: GATEWAY, state: 'online', ts: TS, softwareVersion: '0.1.0' };
    expect(gatewayStatus.parse(online)).toEqual(online);
    const will = { v: 1, gatewayId: GATEWAY, state: 'offline' };
    expect(gatewayStatus.parse(will)).toEqual(will);
  });

  it('rejects unknown states, bad timestamps and extra fields', () => {
    const base = { v: 1, gatewayId: GATEWAY, state: 'online' };
    expect(gatewayStatus.safeParse({ ...base, state: 'sleeping' }).success).toBe(false);
    expect(gatewayStatus.safeParse({ ...base, ts: 'yesterday' }).success).toBe(false);
    expect(gatewayStatus.safeParse({ ...base, reason: 'x' }).success).toBe(false);
    expect(gatewayStatus.safeParse({ ...base, softwareVersion: 'v'.repeat(65) }).success).toBe(false);
  });
});

describe('software versions', () => {
  const version = (softwareVersion: string) =>
    gatewayHeartbeat.safeParse({ ...validHeartbeat, softwareVersion }).success;

  it.each(['0.1.0', '1.4', '1.4.2.7', '1.5.0-rc.1+build.7', '24.11.3+debian'])('accepts %s', (v) => {
    expect(version(v)).toBe(true);
  });

  it.each([
    ['one number', '1'],
    ['five numbers', '1.2.3.4.5'],
    ['a name', 'Jan Novak'],
    ['a name without spaces', 'JanNovak'],
    ['an IMSI', '230011234567890'],
    ['a MAC address', 'AB:CD:EF:12:34:56'],
    ['a plate', '1AB 2345'],
    ['a number of 7 digits', '1234567.1'],
    ['a suffix of 33 characters', `1.0-${'a'.repeat(33)}`],
    ['a suffix with a space', '1.0-rc 1'],
  ])('refuses %s', (_name, v) => {
    expect(version(v)).toBe(false);
  });
});

describe('gatewayHeartbeat', () => {
  it('accepts a heartbeat with and without a dropped range', () => {
    expect(gatewayHeartbeat.safeParse(validHeartbeat).success).toBe(true);
    const withGap = { ...validHeartbeat, droppedReadings: 10, droppedRange: { from: TS, to: TS } };
    expect(gatewayHeartbeat.parse(withGap)).toEqual(withGap);
  });

  it.each([
    ['a negative uptime', { uptime: -1 }],
    ['a fractional queue depth', { queueDepth: 1.5 }],
    ['a NaN memoryRss', { memoryRss: Number.NaN }],
    ['an empty software version', { softwareVersion: '' }],
    ['a dropped range without "to"', { droppedRange: { from: TS } }],
    ['an unknown field', { cpu: 0.5 }],
    ['a negative config version', { configVersion: -1 }],
    ['a fractional config version', { configVersion: 1.5 }],
    ['a config version as a string', { configVersion: '3' }],
  ])('rejects %s', (_, change) => {
    expect(gatewayHeartbeat.safeParse({ ...validHeartbeat, ...change }).success).toBe(false);
  });

  it("carries the drivers' health, or none (agents before issue 17), at most 64", () => {
    const health = {
      driver: 'modbus-tcp',
      name: 'cabinets',
      state: 'degraded',
      errors: 3,
      lastSuccess: TS,
      lastError: 'timeout',
    };
    expect(gatewayHeartbeat.parse({ ...validHeartbeat, drivers: [health] }).drivers).toEqual([health]);
    expect(gatewayHeartbeat.parse({ ...validHeartbeat, drivers: [] }).drivers).toEqual([]);
    expect(gatewayHeartbeat.safeParse({ ...validHeartbeat, drivers: Array(64).fill(health) }).success).toBe(
      true,
    );
    expect(gatewayHeartbeat.safeParse({ ...validHeartbeat, drivers: Array(65).fill(health) }).success).toBe(
      false,
    );
    expect(
      gatewayHeartbeat.safeParse({ ...validHeartbeat, drivers: [{ ...health, detail: 'x' }] }).success,
    ).toBe(false);
  });

  it('requires the config version, 0 meaning none applied', () => {
    const { configVersion: _, ...rest } = validHeartbeat;
    expect(gatewayHeartbeat.safeParse(rest).success).toBe(false);
    expect(gatewayHeartbeat.parse({ ...validHeartbeat, configVersion: 0 }).configVersion).toBe(0);
    expect(gatewayHeartbeat.parse({ ...validHeartbeat, configVersion: 12 }).configVersion).toBe(12);
  });
});

describe('commandMessage', () => {
  const message = (target: unknown, extra: Record<string, unknown> = {}) => ({
    v: 1,
    commandId: COMMAND_ID,
    issuedAt: TS,
    target,
    ...extra,
  });
  const lamp = { deviceId: 'lamp-000001', kind: 'streetlight' };
  const cam = { deviceId: 'cam-000003', kind: 'camera' };
  const bin = { deviceId: 'bin-000002', kind: 'wasteBin' };

  it('accepts setDimming 50 for a street light', () => {
    const value = message({ ...lamp, command: { action: 'setDimming', level: 50 } });
    expect(commandMessage.parse(value)).toEqual(value);
  });

  it('rejects setDimming 150', () => {
    expect(
      commandMessage.safeParse(message({ ...lamp, command: { action: 'setDimming', level: 150 } })).success,
    ).toBe(false);
  });

  it('accepts reboot for a camera and requestStatus for a bin', () => {
    expect(commandMessage.safeParse(message({ ...cam, command: { action: 'reboot' } })).success).toBe(true);
    expect(commandMessage.safeParse(message({ ...bin, command: { action: 'requestStatus' } })).success).toBe(
      true,
    );
  });

  it('rejects a street light action sent to a camera and a camera action sent to a street light', () => {
    expect(
      commandMessage.safeParse(message({ ...cam, command: { action: 'setDimming', level: 50 } })).success,
    ).toBe(false);
    expect(
      commandMessage.safeParse(message({ ...cam, command: { action: 'switch', on: true } })).success,
    ).toBe(false);
    expect(commandMessage.safeParse(message({ ...lamp, command: { action: 'reboot' } })).success).toBe(false);
  });

  it('checks the envelope: uuid, timestamps, version, unknown fields', () => {
    const target = { ...cam, command: { action: 'reboot' } };
    expect(commandMessage.safeParse(message(target, { expiresAt: TS })).success).toBe(true);
    expect(commandMessage.safeParse(message(target, { commandId: 'cmd-1' })).success).toBe(false);
    expect(commandMessage.safeParse(message(target, { expiresAt: 'tomorrow' })).success).toBe(false);
    expect(commandMessage.safeParse(message(target, { v: 2 })).success).toBe(false);
    expect(commandMessage.safeParse(message(target, { gatewayId: GATEWAY })).success).toBe(false);
  });
});

describe('commandResult', () => {
  const result = { v: 1, gatewayId: GATEWAY, commandId: COMMAND_ID, ts: TS, status: 'succeeded' };

  it('accepts each status, with an optional reason code', () => {
    for (const status of ['succeeded', 'failed', 'rejected']) {
      expect(commandResult.safeParse({ ...result, status, reason: 'deviceFault' }).success).toBe(true);
    }
  });

  it('rejects an unknown status, free text (a detail, an unknown reason) and a non-uuid command id', () => {
    expect(commandResult.safeParse({ ...result, status: 'done' }).success).toBe(false);
    expect(commandResult.safeParse({ ...result, detail: 'ok' }).success).toBe(false);
    expect(commandResult.safeParse({ ...result, reason: 'lamp 7 of Jan Novák' }).success).toBe(false);
    expect(commandResult.safeParse({ ...result, commandId: '42' }).success).toBe(false);
  });
});

describe('gatewayConfig', () => {
  const config = {
    v: 1,
    version: 3,
    reportingIntervalS: 60,
    deadband: { activePower: 0.5 },
    maxSilenceS: 600,
  };

  it('accepts a full configuration as it is', () => {
    expect(gatewayConfig.parse(config)).toEqual(config);
  });

  it('fills in an empty deadband and a 900 s max silence', () => {
    expect(gatewayConfig.parse({ v: 1, version: 1, reportingIntervalS: 30 })).toEqual({
      v: 1,
      version: 1,
      reportingIntervalS: 30,
      deadband: {},
      maxSilenceS: 900,
    });
  });

  it('accepts the bounds: a deadband of 0 and intervals of 1 s and 86 400 s', () => {
    const bounds = { ...config, deadband: { dimmingLevel: 0 }, reportingIntervalS: 1, maxSilenceS: 86_400 };
    expect(gatewayConfig.safeParse(bounds).success).toBe(true);
    expect(gatewayConfig.safeParse({ ...config, reportingIntervalS: 86_400, maxSilenceS: 1 }).success).toBe(
      true,
    );
  });

  it.each([
    ['version 0', { version: 0 }],
    ['a negative version', { version: -1 }],
    ['a fractional version', { version: 1.5 }],
    ['another contract version', { v: 2 }],
    ['a negative deadband', { deadband: { activePower: -0.1 } }],
    ['a deadband that is not a number', { deadband: { activePower: '1' } }],
    ['a deadband metric name over 64 characters', { deadband: { ['m'.repeat(65)]: 1 } }],
    ['a reporting interval under 1 s', { reportingIntervalS: 0.5 }],
    ['a reporting interval over a day', { reportingIntervalS: 86_401 }],
    ['a max silence of 0', { maxSilenceS: 0 }],
    ['a max silence over a day', { maxSilenceS: 86_401 }],
    ['an unknown field', { heartbeatIntervalS: 30 }],
  ])('rejects %s', (_, change) => {
    expect(gatewayConfig.safeParse({ ...config, ...change }).success).toBe(false);
  });

  it("takes drivers in place of the gateway's file's: a type, an optional name and the type's settings", () => {
    const drivers = [
      { type: 'modbus-tcp', name: 'cabinets', devices: [{ deviceId: 'lamp-1', host: '10.0.0.5' }] },
    ];
    expect(gatewayConfig.parse({ ...config, drivers }).drivers).toEqual(drivers);
    expect(gatewayConfig.safeParse({ ...config, drivers: [] }).success).toBe(false);
    expect(gatewayConfig.safeParse({ ...config, drivers: [{ name: 'x' }] }).success).toBe(false);
    expect(gatewayConfig.safeParse({ ...config, drivers: [{ type: 'Modbus TCP' }] }).success).toBe(false);
    expect(
      gatewayConfig.safeParse({ ...config, drivers: Array(65).fill({ type: 'simulated' }) }).success,
    ).toBe(false);
  });

  it('requires a version and a reporting interval', () => {
    const { version: _, ...noVersion } = config;
    const { reportingIntervalS: __, ...noInterval } = config;
    expect(gatewayConfig.safeParse(noVersion).success).toBe(false);
    expect(gatewayConfig.safeParse(noInterval).success).toBe(false);
  });
});

describe('configStatus', () => {
  const status = { v: 1, gatewayId: GATEWAY, version: 3, status: 'applied', ts: TS };

  it('accepts applied and rejected, with the invalid fields named', () => {
    expect(configStatus.parse(status)).toEqual(status);
    const rejected = { ...status, status: 'rejected', invalidFields: ['deadband.activePower'] };
    expect(configStatus.parse(rejected)).toEqual(rejected);
  });

  it.each([
    ['an unknown status', { status: 'pending' }],
    ['version 0', { version: 0 }],
    ['a fractional version', { version: 2.5 }],
    ['an invalid gateway id', { gatewayId: 'GW 1' }],
    ['a bad timestamp', { ts: 'now' }],
    ['a detail (free text)', { detail: 'deadband.activePower: too small' }],
    ['an invalid field that is not a path', { invalidFields: ['deadband: too small'] }],
    ['more than 20 invalid fields', { invalidFields: Array.from({ length: 21 }, (_, i) => `f${i}`) }],
    ['an unknown field', { config: {} }],
  ])('rejects %s', (_, change) => {
    expect(configStatus.safeParse({ ...status, ...change }).success).toBe(false);
  });
});
