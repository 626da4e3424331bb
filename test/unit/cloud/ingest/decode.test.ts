import { describe, expect, it } from 'vitest';
import { type Decoded, decodeMessage, type TimeWindow } from '../../../../cloud/ingest/decode.ts';
import type { UplinkChannel } from '../../../../shared/topics.ts';
import {
  COMMAND_ID,
  GATEWAY,
  readingWith,
  validEvent,
  validHeartbeat,
  validReadings,
} from '../../fixtures.ts';

const NOW = new Date('2026-11-22T16:00:00.000Z');
const HOUR = 3_600_000;
const window: TimeWindow = { now: NOW, maxAgeMs: 24 * HOUR, maxSkewMs: 5 * 60_000 };
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();

const decode = (channel: UplinkChannel, payload: unknown, gateway = GATEWAY): Decoded =>
  decodeMessage(
    channel,
    gateway,
    Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
    window,
  );

const telemetry = (readings: unknown[]) => ({
  v: 1,
  gatewayId: GATEWAY,
  sentAt: at(0),
  batchId: 'b-17',
  readings,
});
const events = (list: unknown[]) => ({
  v: 1,
  gatewayId: GATEWAY,
  sentAt: at(0),
  batchId: 'e-17',
  events: list,
});

function rejection(decoded: Decoded) {
  expect(decoded.channel).toBe('rejected');
  expect(decoded.rejections).toHaveLength(1);
  return decoded.rejections[0];
}

describe('decodeMessage: the whole message', () => {
  it.each(['{', 'not json', '', '{"v":1,}'])('rejects %j as invalid-json', (payload) => {
    expect(rejection(decode('telemetry', payload))?.reason).toBe('invalid-json');
  });

  it('rejects bytes that are not UTF-8 as invalid-utf8', () => {
    const decoded = decodeMessage('status', GATEWAY, Buffer.from([0xff, 0xfe, 0x7b]), window);
    expect(rejection(decoded)?.reason).toBe('invalid-utf8');
  });

  it('rejects a device id with a byte that is not UTF-8 instead of storing it with U+FFFD', () => {
    const text = JSON.stringify(telemetry([{ ...validReadings.camera, deviceId: 'cam-X' }]));
    const [before, after] = text.split('X') as [string, string];
    const payload = Buffer.concat([Buffer.from(before), Buffer.from([0xc3]), Buffer.from(after)]);
    expect(rejection(decodeMessage('telemetry', GATEWAY, payload, window))).toEqual({
      reason: 'invalid-utf8',
      message: 'payload is not well-formed UTF-8',
    });
  });

  it('rejects a reading that gives a key twice, which JSON.parse would resolve silently', () => {
    const text = JSON.stringify(telemetry([validReadings.camera])).replace(
      '"deviceId":',
      '"deviceId":"cam-other","deviceId":',
    );
    expect(rejection(decode('telemetry', text))).toEqual({
      reason: 'duplicate-json-key',
      message: 'an object has the key "deviceId" twice',
    });
  });

  it.each<UplinkChannel>(['telemetry', 'events', 'heartbeat', 'status', 'command-results', 'config-status'])(
    'rejects a %s payload that claims another gateway',
    (channel) => {
      const decoded = decode(channel, { ...telemetry([validReadings.camera]), gatewayId: 'gw-other-01' });
      const r = rejection(decoded);
      expect(r?.reason).toBe('gateway-mismatch');
      // Issue 13: the claimed id is a value from the payload; the message names the topic's gateway only.
      expect(r?.message).toContain(GATEWAY);
      expect(r?.message).not.toContain('gw-other-01');
      expect(r?.index).toBeUndefined();
    },
  );

  it('treats a gateway id of another type as a mismatch', () => {
    expect(rejection(decode('heartbeat', { ...validHeartbeat, gatewayId: 7 }))?.reason).toBe(
      'gateway-mismatch',
    );
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['an array', [validReadings.camera]],
    ['an object without gatewayId', { v: 1, sentAt: at(0), batchId: 'b', readings: [validReadings.camera] }],
    ['an unknown envelope field', { ...telemetry([validReadings.camera]), extra: true }],
    ['an empty batch', telemetry([])],
    ['a bad sentAt', { ...telemetry([validReadings.camera]), sentAt: 'yesterday' }],
  ])('rejects %s on telemetry as invalid-message', (_, payload) => {
    const r = rejection(decode('telemetry', payload));
    expect(r?.reason).toBe('invalid-message');
    expect(r?.message.length).toBeGreaterThan(0);
    expect(r?.message).not.toContain('\n');
  });

  it('checks a message against the schema of the channel it arrived on', () => {
    expect(rejection(decode('heartbeat', telemetry([validReadings.camera])))?.reason).toBe('invalid-message');
    expect(rejection(decode('telemetry', validHeartbeat))?.reason).toBe('invalid-message');
  });
});

describe('decodeMessage: telemetry', () => {
  it('accepts a valid batch of every kind, keeping order and batch id', () => {
    const readings = [validReadings.streetlight, validReadings.wasteBin, validReadings.camera];
    const decoded = decode('telemetry', telemetry(readings));
    expect(decoded).toEqual({
      channel: 'telemetry',
      batchId: 'b-17',
      readings,
      times: readings.map((r) => Date.parse(r.ts)),
      rejections: [],
    });
  });

  it('keeps the valid readings when one in the middle is invalid', () => {
    const bad = readingWith('camera', { faceImage: 'base64...' });
    const decoded = decode('telemetry', telemetry([validReadings.streetlight, bad, validReadings.camera]));
    if (decoded.channel !== 'telemetry') throw new Error(`expected telemetry, got ${decoded.channel}`);
    expect(decoded.readings).toEqual([validReadings.streetlight, validReadings.camera]);
    expect(decoded.rejections).toHaveLength(1);
    expect(decoded.rejections[0]).toMatchObject({ reason: 'invalid-reading', index: 1 });
    // Issue 13: a key outside the contract is counted, never repeated (a key can be personal data).
    expect(decoded.rejections[0]?.message).toContain('1 unknown field');
    expect(decoded.rejections[0]?.message).not.toContain('faceImage');
  });

  it('rejects a reading with a number that JSON turned into null', () => {
    // JSON.stringify turns NaN into null; the contract must refuse it, not store 0.
    const decoded = decode(
      'telemetry',
      telemetry([readingWith('streetlight', { dimmingLevel: Number.NaN })]),
    );
    expect(decoded.rejections).toMatchObject([{ reason: 'invalid-reading', index: 0 }]);
    expect(decoded.channel === 'telemetry' && decoded.readings).toEqual([]);
  });

  it('rejects readings outside the time window with their index, accepting the bounds', () => {
    const reading = (ts: string) => ({ ...validReadings.camera, ts });
    const decoded = decode(
      'telemetry',
      telemetry([
        reading(at(-24 * HOUR)), // exactly maxAge: accepted
        reading(at(-24 * HOUR - 1)), // 1 ms too old
        reading(at(5 * 60_000)), // exactly maxSkew: accepted
        reading(at(5 * 60_000 + 1)), // 1 ms too far in the future
        reading('2026-11-22T17:00:00.000+01:00'), // NOW, written with an offset
      ]),
    );
    if (decoded.channel !== 'telemetry') throw new Error(`expected telemetry, got ${decoded.channel}`);
    expect(decoded.readings.map((r) => r.ts)).toEqual([
      at(-24 * HOUR),
      at(5 * 60_000),
      '2026-11-22T17:00:00.000+01:00',
    ]);
    expect(decoded.rejections.map((r) => [r.reason, r.index])).toEqual([
      ['timestamp-out-of-range', 1],
      ['timestamp-out-of-range', 3],
    ]);
    expect(decoded.rejections[0]?.message).toContain('older');
    expect(decoded.rejections[1]?.message).toContain('future');
  });

  it('returns a telemetry result with no readings when all are rejected', () => {
    const decoded = decode('telemetry', telemetry([{ junk: 1 }, { ...validReadings.camera, ts: at(HOUR) }]));
    expect(decoded.channel).toBe('telemetry');
    expect(decoded.rejections.map((r) => [r.reason, r.index])).toEqual([
      ['invalid-reading', 0],
      ['timestamp-out-of-range', 1],
    ]);
  });
});

describe('decodeMessage: events', () => {
  it('accepts valid events, keeping the batch id', () => {
    expect(decode('events', events([validEvent]))).toEqual({
      channel: 'events',
      batchId: 'e-17',
      events: [validEvent],
      rejections: [],
    });
  });

  it('rejects an events batch without a valid batch id', () => {
    const { batchId: _, ...noId } = events([validEvent]);
    expect(rejection(decode('events', noId))?.message).toContain('batchId');
    expect(rejection(decode('events', { ...noId, batchId: '' }))?.reason).toBe('invalid-message');
    expect(rejection(decode('events', { ...noId, batchId: 'e'.repeat(65) }))?.reason).toBe('invalid-message');
  });

  it('keeps the batch id when every event is rejected', () => {
    const decoded = decode('events', events([{ junk: 1 }]));
    expect(decoded).toMatchObject({ channel: 'events', batchId: 'e-17', events: [] });
    expect(decoded.rejections.map((r) => [r.reason, r.index])).toEqual([['invalid-event', 0]]);
  });

  it('rejects invalid and out-of-window events one by one', () => {
    const decoded = decode(
      'events',
      events([{ ...validEvent, type: 'exploded' }, validEvent, { ...validEvent, ts: at(-25 * HOUR) }]),
    );
    if (decoded.channel !== 'events') throw new Error(`expected events, got ${decoded.channel}`);
    expect(decoded.events).toEqual([validEvent]);
    expect(decoded.rejections.map((r) => [r.reason, r.index])).toEqual([
      ['invalid-event', 0],
      ['timestamp-out-of-range', 2],
    ]);
  });

  it('rejects a bad events envelope', () => {
    expect(rejection(decode('events', events([])))?.reason).toBe('invalid-message');
    expect(rejection(decode('events', telemetry([validEvent])))?.reason).toBe('invalid-message');
  });
});

describe('decodeMessage: heartbeat, status, command results, config status', () => {
  it('accepts a valid heartbeat and rejects an invalid one', () => {
    expect(decode('heartbeat', validHeartbeat)).toEqual({
      channel: 'heartbeat',
      heartbeat: validHeartbeat,
      rejections: [],
    });
    expect(rejection(decode('heartbeat', { ...validHeartbeat, queueDepth: -1 }))?.reason).toBe(
      'invalid-message',
    );
  });

  it('requires the config version in a heartbeat', () => {
    const { configVersion: _, ...old } = validHeartbeat;
    expect(rejection(decode('heartbeat', old))?.message).toContain('configVersion');
    const applied = { ...validHeartbeat, configVersion: 4 };
    expect(decode('heartbeat', applied)).toEqual({
      channel: 'heartbeat',
      heartbeat: applied,
      rejections: [],
    });
  });

  it('does not apply the device time window to the heartbeat', () => {
    const old = { ...validHeartbeat, sentAt: at(-30 * 24 * HOUR) };
    expect(decode('heartbeat', old).channel).toBe('heartbeat');
  });

  it('accepts an online status and the last will, and rejects an unknown state', () => {
    const online = { v: 1, gatewayId: GATEWAY, state: 'online', ts: at(0), softwareVersion: '0.1.0' };
    expect(decode('status', online)).toEqual({ channel: 'status', status: online, rejections: [] });
    const will = { v: 1, gatewayId: GATEWAY, state: 'offline' };
    expect(decode('status', will)).toEqual({ channel: 'status', status: will, rejections: [] });
    expect(rejection(decode('status', { ...will, state: 'gone' }))?.reason).toBe('invalid-message');
  });

  it('accepts a command result and rejects one without a valid command id', () => {
    const result = {
      v: 1,
      gatewayId: GATEWAY,
      commandId: COMMAND_ID,
      ts: at(0),
      status: 'failed',
      reason: 'deviceFault',
    };
    expect(decode('command-results', result)).toEqual({ channel: 'command-results', result, rejections: [] });
    expect(rejection(decode('command-results', { ...result, commandId: 'x' }))?.reason).toBe(
      'invalid-message',
    );
  });

  it('accepts an applied and a rejected config status', () => {
    const applied = { v: 1, gatewayId: GATEWAY, version: 2, status: 'applied', ts: at(0) };
    expect(decode('config-status', applied)).toEqual({
      channel: 'config-status',
      status: applied,
      rejections: [],
    });
    const rejected = { ...applied, status: 'rejected', invalidFields: ['deadband.x'] };
    expect(decode('config-status', rejected)).toEqual({
      channel: 'config-status',
      status: rejected,
      rejections: [],
    });
  });

  it.each([
    ['an unknown status', { status: 'pending' }],
    ['version 0', { version: 0 }],
    ['a missing timestamp', { ts: undefined }],
    ['an unknown field', { extra: 1 }],
  ])('rejects a config status with %s as invalid-message', (_, change) => {
    const status = { v: 1, gatewayId: GATEWAY, version: 2, status: 'applied', ts: at(0), ...change };
    const r = rejection(decode('config-status', status));
    expect(r?.reason).toBe('invalid-message');
    expect(r?.message).not.toContain('\n');
  });

  it('checks a config status against its own schema, not the heartbeat one', () => {
    expect(rejection(decode('config-status', validHeartbeat))?.reason).toBe('invalid-message');
  });
});

describe('decodeMessage: rejection messages are logged and kept, so they never quote a value', () => {
  const secret = 'AB:CD:EF:12:34:56';
  const leaky: [string, UplinkChannel, unknown][] = [
    ['an enum', 'status', { v: 1, gatewayId: GATEWAY, state: secret }],
    [
      'a string too long',
      'status',
      { v: 1, gatewayId: GATEWAY, state: 'online', softwareVersion: secret.repeat(9) },
    ],
    ['a number as text', 'heartbeat', { ...validHeartbeat, uptime: secret }],
    ['an unknown key', 'telemetry', telemetry([readingWith('camera', { [secret]: 1 })])],
    ['an unknown key of the envelope', 'events', { ...events([validEvent]), [secret]: 1 }],
    ['a bad event type', 'events', events([{ ...validEvent, type: secret }])],
    ['a bad timestamp', 'telemetry', telemetry([{ ...validReadings.camera, ts: secret }])],
    ['a bad device id', 'telemetry', telemetry([{ ...validReadings.camera, deviceId: `${secret}\n` }])],
    [
      'a bad command id',
      'command-results',
      { v: 1, gatewayId: GATEWAY, commandId: secret, ts: at(0), status: 'failed' },
    ],
    ['another gateway', 'status', { v: 1, gatewayId: secret, state: 'online' }],
    ['not JSON', 'telemetry', `{"plate":"${secret}",}`],
  ];
  it.each(leaky)('%s', (_, channel, payload) => {
    const decoded = decode(channel, payload);
    expect(decoded.rejections.length).toBeGreaterThan(0);
    for (const r of decoded.rejections) {
      expect(r.message.length).toBeGreaterThan(0);
      expect(r.message).not.toContain(secret);
      expect(r.message).not.toContain(secret.slice(0, 8));
    }
  });

  it('names a contract field that does not belong, and paths through the message', () => {
    const decoded = decode('telemetry', telemetry([readingWith('camera', { reason: 'x', [secret]: 2 })]));
    expect(decoded.rejections[0]?.message).toBe('metrics: unknown field "reason", 1 unknown field');
    const late = decode('telemetry', telemetry([{ ...validReadings.camera, ts: at(HOUR) }]));
    expect(late.rejections[0]?.message).toBe('ts: timestamp is more than 300 s in the future');
  });
});
