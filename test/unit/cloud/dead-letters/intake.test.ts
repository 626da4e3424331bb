import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { deadLetterIntake } from '../../../../cloud/dead-letters/intake.ts';
import type { DeadLetterInput } from '../../../../cloud/dead-letters/store.ts';
import { Counters } from '../../../../cloud/monitoring/counters.ts';

const at = new Date('2026-11-29T12:00:00.000Z');

function intake() {
  const kept: DeadLetterInput[] = [];
  const counters = new Counters();
  return {
    kept,
    counters,
    intake: deadLetterIntake({
      store: { add: async (l) => void kept.push(l) },
      counters,
      log: pino({ level: 'silent' }),
      now: () => at,
    }),
  };
}

describe('deadLetterIntake', () => {
  it('keeps a refused publish with its topic, gateway and reason, and counts it', () => {
    const { kept, counters, intake: dl } = intake();
    dl.refusedPublish({
      topic: 'city/v1/gw-2/telemetry',
      gatewayId: 'gw-1',
      payload: Buffer.from('{}'),
      reason: 'not its topic',
      code: 'publish-refused',
    });
    expect(kept).toEqual([
      {
        receivedAt: at,
        topic: 'city/v1/gw-2/telemetry',
        gatewayId: 'gw-1',
        payload: Buffer.from('{}'),
        rejections: [{ reason: 'publish-refused', message: 'not its topic' }],
      },
    ]);
    expect(counters.snapshot()).toEqual({ dead_letters: 1, 'rejected_publish-refused': 1 });
  });

  it('counts a refused publish under its own rejection reason', () => {
    const { kept, counters, intake: dl } = intake();
    dl.refusedPublish({
      topic: 'city/v1/gateways/gw-1/\ufffd',
      gatewayId: 'gw-1',
      payload: Buffer.from('{}'),
      reason: 'topic is not well-formed UTF-8',
      code: 'invalid-utf8',
    });
    expect(kept[0]?.rejections).toEqual([
      { reason: 'invalid-utf8', message: 'topic is not well-formed UTF-8' },
    ]);
    expect(counters.snapshot()).toEqual({ dead_letters: 1, 'rejected_invalid-utf8': 1 });
  });

  it('keeps the lines InfluxDB refused as one letter, with the reason cut to 2,000 characters', async () => {
    const { kept, counters, intake: dl } = intake();
    await dl.storageRejected(['a x=1 1', 'b y="2" 2'], 'x'.repeat(2_500));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ receivedAt: at, topic: 'influxdb/write', gatewayId: undefined });
    expect(kept[0]?.payload.toString()).toBe('a x=1 1\nb y="2" 2');
    expect(kept[0]?.rejections).toEqual([{ reason: 'storage-rejected', message: 'x'.repeat(2_000) }]);
    expect(counters.snapshot()).toEqual({});
  });

  it('logs a refused publish it could not keep, with its topic and gateway, instead of throwing', async () => {
    const logged: Record<string, unknown>[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const dl = deadLetterIntake({
      store: { add: () => Promise.reject(new Error('disk full')) },
      counters: new Counters(),
      log,
      now: () => at,
    });
    dl.refusedPublish({
      topic: 'city/v1/gw-2/telemetry',
      gatewayId: 'gw-1',
      payload: Buffer.from('{}'),
      reason: 'acl',
      code: 'publish-refused',
    });
    await vi.waitFor(() => expect(logged).toHaveLength(1));
    expect(logged[0]).toMatchObject({
      msg: 'refused publish not kept',
      topic: 'city/v1/gw-2/telemetry',
      gatewayId: 'gw-1',
      err: { message: 'disk full' },
    });
  });
});
