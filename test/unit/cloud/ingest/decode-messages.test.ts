import { describe, expect, it } from 'vitest';
import { type Decoded, decodeMessage, type TimeWindow } from '../../../../cloud/ingest/decode.ts';
import type { UplinkChannel } from '../../../../shared/topics.ts';
import { GATEWAY, validHeartbeat, validReadings } from '../../fixtures.ts';

/** The words of each rejection: what an operator reads in the dead letters and the logs. */
const NOW = new Date('2026-11-22T16:00:00.000Z');
const window: TimeWindow = { now: NOW, maxAgeMs: 86_400_000, maxSkewMs: 300_000 };
const decode = (channel: UplinkChannel, payload: unknown): Decoded =>
  decodeMessage(
    channel,
    GATEWAY,
    Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
    window,
  );
const message = (decoded: Decoded) => decoded.rejections.map((r) => r.message);
const telemetry = (ts: string) => ({
  v: 1,
  gatewayId: GATEWAY,
  sentAt: NOW.toISOString(),
  batchId: 'b-1',
  readings: [{ ...validReadings.camera, ts }],
});

describe('rejection messages', () => {
  it('give the time window in seconds', () => {
    expect(message(decode('telemetry', telemetry('2026-11-21T15:59:59.999Z')))).toEqual([
      'timestamp 2026-11-21T15:59:59.999Z is older than 86400 s',
    ]);
    expect(message(decode('telemetry', telemetry('2026-11-22T16:05:00.001Z')))).toEqual([
      'timestamp 2026-11-22T16:05:00.001Z is more than 300 s in the future',
    ]);
  });

  it('put each schema issue on one line, its path after an arrow', () => {
    const [text] = message(decode('heartbeat', { ...validHeartbeat, uptime: 'x', queueDepth: -1 }));
    expect(text).toBe(
      '✖ Invalid input: expected number, received string; → at uptime; ' +
        '✖ Too small: expected number to be >=0; → at queueDepth',
    );
  });

  it('say why a payload is not JSON', () => {
    const [text] = message(decode('status', '{'));
    expect(text).toMatch(/^payload is not JSON: \S/);
  });

  it('quote a claimed gateway id, cut to 64 characters, or name its type', () => {
    const long = `gw-${'x'.repeat(100)}`;
    expect(message(decode('heartbeat', { ...validHeartbeat, gatewayId: long }))).toEqual([
      `payload gatewayId "${long.slice(0, 64)}" differs from topic ${GATEWAY}`,
    ]);
    expect(message(decode('heartbeat', { ...validHeartbeat, gatewayId: 7 }))).toEqual([
      `payload gatewayId of type number differs from topic ${GATEWAY}`,
    ]);
  });
});
