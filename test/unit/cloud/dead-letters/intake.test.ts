import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { deadLetterIntake, keptTopic } from '../../../../cloud/dead-letters/intake.ts';
import { MemoryDeadLetterStore } from '../../../../cloud/dead-letters/memory-store.ts';
import {
  type DeadLetterInput,
  type DeadLetterStore,
  letterBytes,
} from '../../../../cloud/dead-letters/store.ts';
import { Counters } from '../../../../cloud/monitoring/counters.ts';

const at = new Date('2026-11-29T12:00:00.000Z');
const hour = 3_600_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function intake(store: Pick<DeadLetterStore, 'add' | 'capture'> = new MemoryDeadLetterStore()) {
  const kept: DeadLetterInput[] = [];
  const counters = new Counters();
  const logged: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const recording = {
    add: (l: DeadLetterInput) => {
      kept.push(l);
      return store.add(l);
    },
    capture: (id: string) => store.capture(id),
  };
  return {
    kept,
    counters,
    logged,
    intake: deadLetterIntake({ store: recording, counters, log, now: () => at, rawTtlMs: 72 * hour }),
  };
}

describe('deadLetterIntake', () => {
  it('keeps the size, hash and shape of a payload, never its values', async () => {
    const { kept, intake: dl } = intake();
    const payload = '{"v":1,"gatewayId":"gw-1","plate":"1AB 2345"}';
    await dl.rejected({
      topic: 'city/v1/gateways/gw-1/telemetry',
      gatewayId: 'gw-1',
      payload: Buffer.from(payload),
      rejections: [{ reason: 'invalid-message', message: '(message): 1 unknown field' }],
    });
    expect(kept).toEqual([
      {
        receivedAt: at,
        topic: 'city/v1/gateways/gw-1/telemetry',
        gatewayId: 'gw-1',
        rejections: [{ reason: 'invalid-message', message: '(message): 1 unknown field' }],
        size: Buffer.byteLength(payload),
        sha256: sha256(payload),
        shape: { format: 'json', shape: { object: { v: 'number', gatewayId: 'string' }, otherKeys: 1 } },
      },
    ]);
    expect(JSON.stringify(kept)).not.toMatch(/1AB|plate/);
  });

  it('keeps the payload raw, for its time to live, while the gateway is being captured', async () => {
    const store = new MemoryDeadLetterStore({ now: () => at });
    await store.setCapture('gw-1', new Date(at.getTime() + hour));
    const { kept, intake: dl } = intake(store);
    const message = (gatewayId: string) => ({
      topic: `city/v1/gateways/${gatewayId}/events`,
      gatewayId,
      payload: Buffer.from('{"faceEmbedding":[0.1]}'),
      rejections: [{ reason: 'invalid-message' as const, message: '(message): 1 unknown field' }],
    });
    await dl.rejected(message('gw-1'));
    await dl.rejected(message('gw-2'));
    expect(kept[0]?.raw).toEqual({
      payload: Buffer.from('{"faceEmbedding":[0.1]}'),
      expiresAt: new Date(at.getTime() + 72 * hour),
    });
    expect(kept[1]?.raw).toBeUndefined();
    const [, first] = (await store.list({ limit: 10, offset: 0 })).items;
    expect((await store.rawPayload(first?.id ?? 0))?.payload).toBe('{"faceEmbedding":[0.1]}');
  });

  it('keeps a refused publish with its topic, gateway and reason, and counts it', async () => {
    const { kept, counters, intake: dl } = intake();
    dl.refusedPublish({
      topic: 'city/v1/gateways/gw-2/telemetry',
      gatewayId: 'gw-1',
      payload: Buffer.from('{}'),
      reason: 'not its topic',
      code: 'publish-refused',
    });
    await vi.waitFor(() => expect(kept).toHaveLength(1));
    expect(kept[0]).toEqual({
      receivedAt: at,
      topic: 'city/v1/gateways/gw-2/telemetry',
      gatewayId: 'gw-1',
      rejections: [{ reason: 'publish-refused', message: 'not its topic' }],
      size: 2,
      sha256: sha256('{}'),
      shape: { format: 'json', shape: { object: {} } },
    });
    expect(counters.snapshot()).toEqual({ dead_letters: 1, 'rejected_publish-refused': 1 });
  });

  it('counts a refused publish under its own rejection reason', async () => {
    const { kept, counters, intake: dl } = intake();
    dl.refusedPublish({
      topic: 'city/v1/gateways/gw-1/\ufffd',
      gatewayId: 'gw-1',
      payload: Buffer.from('{}'),
      reason: 'topic is not well-formed UTF-8',
      code: 'invalid-utf8',
    });
    await vi.waitFor(() => expect(kept).toHaveLength(1));
    expect(kept[0]?.rejections).toEqual([
      { reason: 'invalid-utf8', message: 'topic is not well-formed UTF-8' },
    ]);
    expect(counters.snapshot()).toEqual({ dead_letters: 1, 'rejected_invalid-utf8': 1 });
  });

  it('keeps the lines InfluxDB refused as one letter, without the lines InfluxDB quotes in its reason', async () => {
    const { kept, counters, intake: dl } = intake();
    const lines = ['camera,device=cam-1 peopleCount=1i 1', 'b y="it\'s" 2'];
    await dl.storageRejected(lines, `unable to parse '${lines[0]}': bad timestamp; ${'x'.repeat(2_500)}`);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({
      receivedAt: at,
      topic: 'influxdb/write',
      gatewayId: undefined,
      size: Buffer.byteLength(lines.join('\n')),
      sha256: sha256(lines.join('\n')),
      shape: { format: 'lines', lines: 2 },
    });
    const message = kept[0]?.rejections[0]?.message ?? '';
    expect(message.startsWith("unable to parse '…': bad timestamp; xxx")).toBe(true);
    expect(message).toHaveLength(2_000);
    expect(message).not.toContain('cam-1');
    expect(counters.snapshot()).toEqual({});
  });

  it('counts the letters the store drops over quota, and warns once per gateway with no value', async () => {
    const { kept, counters, logged, intake: dl } = intake(new MemoryDeadLetterStore({ quotaBytes: 300 }));
    for (let n = 0; n < 3; n++)
      await dl.rejected({
        topic: 'city/v1/gateways/gw-1/telemetry',
        gatewayId: 'gw-1',
        payload: Buffer.from(`{"imsi":"230011234567890${n}"}`),
        rejections: [{ reason: 'invalid-json', message: 'payload is not JSON' }],
      });
    expect(kept).toHaveLength(3);
    expect(counters.snapshot()).toEqual({
      dead_letters_dropped: 2,
      dead_letter_bytes_dropped:
        letterBytes(kept[1] as DeadLetterInput) + letterBytes(kept[2] as DeadLetterInput),
    });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ gatewayId: 'gw-1', bytes: 27 });
    expect(JSON.stringify(logged)).not.toContain('2300112');
  });

  it('keeps a topic of the layout as it is, and describes any other by its size and hash', async () => {
    expect(keptTopic('city/v1/gateways/gw-2/telemetry')).toBe('city/v1/gateways/gw-2/telemetry');
    expect(keptTopic('influxdb/write')).toBe('influxdb/write');
    const hostile = 'city/v1/gateways/gw-1/AB:CD:EF:12:34:56';
    const described = `(outside the topic layout: 39 bytes, sha256 ${sha256(hostile).slice(0, 16)})`;
    expect(keptTopic(hostile)).toBe(described);
    expect(keptTopic('city/v1/gateways/+/telemetry')).toMatch(/^\(outside the topic layout: 28 bytes/);
    const { kept, intake: dl } = intake();
    dl.refusedPublish({
      topic: hostile,
      gatewayId: 'gw-1',
      payload: Buffer.from('{}'),
      reason: 'not in the layout',
      code: 'publish-refused',
    });
    await vi.waitFor(() => expect(kept).toHaveLength(1));
    expect(kept[0]?.topic).toBe(described);
  });

  it('logs a refused publish it could not keep, with its topic and gateway, instead of throwing', async () => {
    const logged: Record<string, unknown>[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const dl = deadLetterIntake({
      store: { add: () => Promise.reject(new Error('disk full')), capture: async () => undefined },
      counters: new Counters(),
      log,
      now: () => at,
      rawTtlMs: hour,
    });
    dl.refusedPublish({
      topic: 'city/v1/gateways/gw-2/telemetry',
      gatewayId: 'gw-1',
      payload: Buffer.from('{}'),
      reason: 'acl',
      code: 'publish-refused',
    });
    await vi.waitFor(() => expect(logged).toHaveLength(1));
    expect(logged[0]).toMatchObject({
      msg: 'refused publish not kept',
      topic: 'city/v1/gateways/gw-2/telemetry',
      gatewayId: 'gw-1',
      err: { message: 'disk full' },
    });
  });
});
