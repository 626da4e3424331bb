import { describe, expect, it } from 'vitest';
import { type Decoded, decodeMessage, type TimeWindow } from '../../../../cloud/ingest/decode.ts';
import type { UplinkChannel } from '../../../../shared/topics.ts';
import { GATEWAY, validHeartbeat, validReadings } from '../../fixtures.ts';

/**
 * The words of each rejection: what an operator reads in the dead letters and the logs. They say
 * what was wrong and where, never the value sent (issue 13: no payload values in logs).
 */
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
      'ts: timestamp is older than 86400 s',
    ]);
    expect(message(decode('telemetry', telemetry('2026-11-22T16:05:00.001Z')))).toEqual([
      'ts: timestamp is more than 300 s in the future',
    ]);
  });

  it('put each schema issue on one line, its path first', () => {
    const [text] = message(decode('heartbeat', { ...validHeartbeat, uptime: 'x', queueDepth: -1 }));
    expect(text).toBe(
      'uptime: Invalid input: expected number, received string; ' +
        'queueDepth: Too small: expected number to be >=0',
    );
  });

  it('say where a payload stops being JSON, without quoting it', () => {
    expect(message(decode('status', '{"secret'))).toEqual(['payload is not JSON (error at position 8)']);
  });

  it('give a claimed gateway id by its length or type, never its text', () => {
    const long = `gw-${'x'.repeat(100)}`;
    expect(message(decode('heartbeat', { ...validHeartbeat, gatewayId: long }))).toEqual([
      `payload gatewayId (103 characters) differs from the topic's gateway ${GATEWAY}`,
    ]);
    expect(message(decode('heartbeat', { ...validHeartbeat, gatewayId: 7 }))).toEqual([
      `payload gatewayId (of type number) differs from the topic's gateway ${GATEWAY}`,
    ]);
  });
});
