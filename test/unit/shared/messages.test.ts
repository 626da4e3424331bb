import { describe, expect, it } from 'vitest';
import {
  commandMessage,
  commandResult,
  eventBatch,
  eventEnvelope,
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
    events: list,
    ...extra,
  });

  it('accepts valid events and bounds their number', () => {
    expect(eventBatch.safeParse(events([validEvent])).success).toBe(true);
    expect(eventBatch.safeParse(events([])).success).toBe(false);
    expect(eventBatch.safeParse(events(Array(maxEventsPerBatch + 1).fill(validEvent))).success).toBe(false);
  });

  it('rejects an invalid event, a batchId (telemetry only) and unknown fields', () => {
    expect(eventBatch.safeParse(events([{ ...validEvent, type: 'exploded' }])).success).toBe(false);
    expect(eventBatch.safeParse(events([validEvent], { batchId: 'b-1' })).success).toBe(false);
    expect(eventEnvelope.safeParse(events([{ junk: 1 }])).success).toBe(true);
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
  ])('rejects %s', (_, change) => {
    expect(gatewayHeartbeat.safeParse({ ...validHeartbeat, ...change }).success).toBe(false);
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

  it('accepts each status, with an optional detail', () => {
    for (const status of ['succeeded', 'failed', 'rejected']) {
      expect(commandResult.safeParse({ ...result, status, detail: 'ok' }).success).toBe(true);
    }
  });

  it('rejects an unknown status, a multi-line detail and a non-uuid command id', () => {
    expect(commandResult.safeParse({ ...result, status: 'done' }).success).toBe(false);
    expect(commandResult.safeParse({ ...result, detail: 'a\nb' }).success).toBe(false);
    expect(commandResult.safeParse({ ...result, commandId: '42' }).success).toBe(false);
  });
});
