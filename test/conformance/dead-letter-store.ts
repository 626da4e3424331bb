import { describe, expect, it } from 'vitest';
import type { DeadLetterInput, DeadLetterStore } from '../../cloud/dead-letters/store.ts';

/** The behaviour every DeadLetterStore must have; a new backend calls this with a factory for empty stores. */
export function deadLetterStoreConformance(
  name: string,
  createStore: (maxRows?: number) => DeadLetterStore | Promise<DeadLetterStore>,
) {
  const letter = (n: number, overrides: Partial<DeadLetterInput> = {}): DeadLetterInput => ({
    receivedAt: new Date(Date.parse('2026-11-22T10:00:00.000Z') + n * 1_000),
    topic: `city/v1/gw-${n % 2}/telemetry`,
    gatewayId: `gw-${n % 2}`,
    payload: Buffer.from(`{"n":${n}}`),
    rejections: [{ reason: 'invalid-reading', message: `reading ${n} is invalid`, index: 0 }],
    ...overrides,
  });

  describe(`DeadLetterStore conformance: ${name}`, () => {
    it('keeps a letter with its payload and every rejection, in order', async () => {
      const store = await createStore();
      await store.add(
        letter(1, {
          rejections: [
            { reason: 'invalid-reading', message: 'item 0', index: 0 },
            { reason: 'device-kind-mismatch', message: 'item 3', index: 3 },
            { reason: 'invalid-json', message: 'whole message' },
          ],
        }),
      );
      expect(await store.list({ limit: 10, offset: 0 })).toEqual({
        total: 1,
        items: [
          {
            id: expect.any(Number),
            receivedAt: '2026-11-22T10:00:01.000Z',
            topic: 'city/v1/gw-1/telemetry',
            gatewayId: 'gw-1',
            payload: '{"n":1}',
            payloadEncoding: 'utf8',
            rejections: [
              { reason: 'invalid-reading', message: 'item 0', index: 0 },
              { reason: 'device-kind-mismatch', message: 'item 3', index: 3 },
              { reason: 'invalid-json', message: 'whole message' },
            ],
          },
        ],
      });
    });

    it('gives a payload that is not UTF-8 as base64, and a letter without a gateway', async () => {
      const store = await createStore();
      const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
      await store.add(letter(1, { payload: bytes, gatewayId: undefined, topic: 'influxdb/write' }));
      const [item] = (await store.list({ limit: 10, offset: 0 })).items;
      expect(item).toMatchObject({
        payload: bytes.toString('base64'),
        payloadEncoding: 'base64',
        topic: 'influxdb/write',
      });
      expect(item?.gatewayId).toBeUndefined();
    });

    it('lists newest first, filtered by gateway or by any rejection reason, counted and paged', async () => {
      const store = await createStore();
      for (let n = 1; n <= 5; n++)
        await store.add(
          letter(
            n,
            n === 4
              ? {
                  rejections: [
                    { reason: 'publish-refused', message: 'no' },
                    { reason: 'device-kind-mismatch', message: 'x' },
                  ],
                }
              : {},
          ),
        );
      const topics = async (query: {
        gatewayId?: string;
        reason?: string;
        limit?: number;
        offset?: number;
      }) => {
        const result = await store.list({ limit: 10, offset: 0, ...query });
        return [result.total, result.items.map((l) => JSON.parse(l.payload).n)];
      };
      expect(await topics({})).toEqual([5, [5, 4, 3, 2, 1]]);
      expect(await topics({ gatewayId: 'gw-1' })).toEqual([3, [5, 3, 1]]);
      expect(await topics({ reason: 'device-kind-mismatch' })).toEqual([1, [4]]);
      expect(await topics({ reason: 'invalid-reading', gatewayId: 'gw-0' })).toEqual([1, [2]]);
      expect(await topics({ limit: 2, offset: 1 })).toEqual([5, [4, 3]]);
      const ids = (await store.list({ limit: 10, offset: 0 })).items.map((l) => l.id);
      expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    });

    it('keeps only the newest letters, up to its limit', async () => {
      const store = await createStore(3);
      for (let n = 1; n <= 5; n++) await store.add(letter(n));
      const result = await store.list({ limit: 10, offset: 0 });
      expect(result.total).toBe(3);
      expect(result.items.map((l) => JSON.parse(l.payload).n)).toEqual([5, 4, 3]);
    });

    it('prunes letters received before a time, with their rejections, and counts them', async () => {
      const store = await createStore();
      for (let n = 1; n <= 4; n++) await store.add(letter(n));
      expect(await store.pruneBefore('2026-11-22T10:00:03.000Z')).toBe(2);
      const kept = await store.list({ limit: 10, offset: 0 });
      expect([kept.total, kept.items.map((l) => JSON.parse(l.payload).n)]).toEqual([2, [4, 3]]);
      expect(kept.items[0]?.rejections).toEqual(letter(4).rejections);
      expect(await store.list({ limit: 10, offset: 0, reason: 'invalid-reading' })).toMatchObject({
        total: 2,
      });
      expect(await store.pruneBefore('2026-11-22T10:00:03.000Z')).toBe(0);
    });
  });
}
