import { describe, expect, it } from 'vitest';
import {
  type DeadLetterInput,
  type DeadLetterStore,
  type DeadLetterStoreOptions,
  letterBytes,
} from '../../cloud/dead-letters/store.ts';

/** The behaviour every DeadLetterStore must have; a new backend calls this with a factory for empty stores. */
export function deadLetterStoreConformance(
  name: string,
  createStore: (options: DeadLetterStoreOptions) => DeadLetterStore | Promise<DeadLetterStore>,
) {
  const start = Date.parse('2026-11-22T10:00:00.000Z');
  const letter = (n: number, overrides: Partial<DeadLetterInput> = {}): DeadLetterInput => ({
    receivedAt: new Date(start + n * 1_000),
    topic: `city/v1/gw-${n % 2}/telemetry`,
    gatewayId: `gw-${n % 2}`,
    rejections: [{ reason: 'invalid-reading', message: `reading ${n} is invalid`, index: 0 }],
    size: 100 + n,
    sha256: String(n).padStart(64, '0'),
    shape: { format: 'json', shape: { object: { v: 'number' } } },
    ...overrides,
  });
  /** A store whose clock the test moves. */
  const clocked = async (options: DeadLetterStoreOptions = {}) => {
    const clock = { now: new Date(start) };
    const store = await createStore({ ...options, now: () => clock.now });
    return { store, clock, at: (ms: number) => (clock.now = new Date(start + ms)) };
  };

  describe(`DeadLetterStore conformance: ${name}`, () => {
    it('keeps a letter with its size, hash, shape and every rejection, in order, and no payload', async () => {
      const store = await createStore({});
      const shape = {
        format: 'json' as const,
        shape: { object: { readings: { array: ['number' as const], length: 2 } }, otherKeys: 1 },
        truncated: true as const,
      };
      expect(
        await store.add(
          letter(1, {
            shape,
            rejections: [
              { reason: 'invalid-reading', message: 'item 0', index: 0 },
              { reason: 'device-kind-mismatch', message: 'item 3', index: 3 },
              { reason: 'invalid-json', message: 'whole message' },
            ],
          }),
        ),
      ).toBe(true);
      expect(await store.list({ limit: 10, offset: 0 })).toEqual({
        total: 1,
        items: [
          {
            id: expect.any(Number),
            receivedAt: '2026-11-22T10:00:01.000Z',
            topic: 'city/v1/gw-1/telemetry',
            gatewayId: 'gw-1',
            size: 101,
            sha256: String(1).padStart(64, '0'),
            shape,
            rejections: [
              { reason: 'invalid-reading', message: 'item 0', index: 0 },
              { reason: 'device-kind-mismatch', message: 'item 3', index: 3 },
              { reason: 'invalid-json', message: 'whole message' },
            ],
          },
        ],
      });
      const [item] = (await store.list({ limit: 1, offset: 0 })).items;
      expect(await store.rawPayload(item?.id ?? 0)).toBeUndefined();
    });

    it('keeps a letter without a gateway', async () => {
      const store = await createStore({});
      await store.add(
        letter(1, { gatewayId: undefined, topic: 'influxdb/write', shape: { format: 'lines', lines: 3 } }),
      );
      const [item] = (await store.list({ limit: 10, offset: 0 })).items;
      expect(item).toMatchObject({ topic: 'influxdb/write', shape: { format: 'lines', lines: 3 } });
      expect(item && 'gatewayId' in item).toBe(false);
    });

    it('lists newest first, filtered by gateway or by any rejection reason, counted and paged', async () => {
      const store = await createStore({});
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
      const sizes = async (query: {
        gatewayId?: string;
        reason?: string;
        limit?: number;
        offset?: number;
      }) => {
        const result = await store.list({ limit: 10, offset: 0, ...query });
        return [result.total, result.items.map((l) => l.size - 100)];
      };
      expect(await sizes({})).toEqual([5, [5, 4, 3, 2, 1]]);
      expect(await sizes({ gatewayId: 'gw-1' })).toEqual([3, [5, 3, 1]]);
      expect(await sizes({ reason: 'device-kind-mismatch' })).toEqual([1, [4]]);
      expect(await sizes({ reason: 'invalid-reading', gatewayId: 'gw-0' })).toEqual([1, [2]]);
      expect(await sizes({ limit: 2, offset: 1 })).toEqual([5, [4, 3]]);
      const ids = (await store.list({ limit: 10, offset: 0 })).items.map((l) => l.id);
      expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    });

    it('keeps only the newest letters, up to its limit, and their usage with them', async () => {
      const store = await createStore({ maxRows: 3 });
      for (let n = 1; n <= 5; n++) await store.add(letter(n));
      const result = await store.list({ limit: 10, offset: 0 });
      expect(result.total).toBe(3);
      expect(result.items.map((l) => l.size - 100)).toEqual([5, 4, 3]);
      expect(await store.usage()).toEqual([
        { gatewayId: 'gw-0', bytes: letterBytes(letter(4)), letters: 1, dropped: 0 },
        { gatewayId: 'gw-1', bytes: letterBytes(letter(3)) + letterBytes(letter(5)), letters: 2, dropped: 0 },
      ]);
    });

    it('drops and counts the letters of a gateway past its byte quota, keeping the other gateways', async () => {
      const one = letterBytes(letter(1));
      const store = await createStore({ quotaBytes: 2 * one + 1 });
      const kept: boolean[] = [];
      for (const n of [1, 3, 5, 7, 2]) kept.push(await store.add(letter(n)));
      expect(kept).toEqual([true, true, false, false, true]);
      expect(await store.add(letter(9, { gatewayId: undefined }))).toBe(true);
      expect(await store.usage()).toEqual([
        { bytes: letterBytes(letter(9, { gatewayId: undefined })), letters: 1, dropped: 0 },
        { gatewayId: 'gw-0', bytes: one, letters: 1, dropped: 0 },
        { gatewayId: 'gw-1', bytes: 2 * one, letters: 2, dropped: 2 },
      ]);
      expect((await store.list({ limit: 10, offset: 0, gatewayId: 'gw-1' })).total).toBe(2);
    });

    it("drops the letters past the total quota (a tenant's) from any gateway, reading the quota at each letter", async () => {
      const one = letterBytes(letter(1));
      let total = 2 * one;
      const store = await createStore({ totalQuotaBytes: () => total });
      const kept: boolean[] = [];
      // The second letter takes the store exactly to the quota; the third would go one letter over.
      for (const n of [1, 2, 3]) kept.push(await store.add(letter(n)));
      expect(kept).toEqual([true, true, false]);
      expect(await store.usage()).toEqual([
        { gatewayId: 'gw-0', bytes: one, letters: 1, dropped: 0 },
        { gatewayId: 'gw-1', bytes: one, letters: 1, dropped: 1 },
      ]);
      total = 3 * one - 1;
      expect(await store.add(letter(5))).toBe(false);
      total = 3 * one;
      expect(await store.add(letter(5))).toBe(true);
      const { store: withRaw } = await clocked({ totalQuotaBytes: () => one + 10 });
      const raw = { payload: Buffer.alloc(11), expiresAt: new Date(start + 3_600_000) };
      expect(await withRaw.add(letter(1, { raw }))).toBe(true);
      expect((await withRaw.list({ limit: 1, offset: 0 })).items[0]?.rawExpiresAt).toBeUndefined();
    });

    it('counts raw payloads against the quota, and keeps a letter without the raw payload that does not fit', async () => {
      const { store } = await clocked({ quotaBytes: 1_500 });
      const expiresAt = new Date(start + 3_600_000);
      const raw = { payload: Buffer.alloc(900, 0x41), expiresAt };
      expect(await store.add(letter(1, { raw }))).toBe(true);
      expect(await store.add(letter(3, { raw }))).toBe(true);
      expect(await store.add(letter(0, { raw: { payload: Buffer.alloc(1_500), expiresAt } }))).toBe(true);
      const items = (await store.list({ limit: 10, offset: 0 })).items;
      expect(items.map((l) => [l.size - 100, l.rawExpiresAt])).toEqual([
        [0, undefined],
        [3, undefined],
        [1, '2026-11-22T11:00:00.000Z'],
      ]);
      expect(await store.rawPayload(items[1]?.id ?? 0)).toBeUndefined();
      expect(await store.usage()).toEqual([
        { gatewayId: 'gw-0', bytes: letterBytes(letter(0)), letters: 1, dropped: 0 },
        {
          gatewayId: 'gw-1',
          bytes: letterBytes(letter(1, { raw })) + letterBytes(letter(3)),
          letters: 2,
          dropped: 0,
        },
      ]);
    });

    it('keeps a raw payload until it expires: then neither listed nor readable, and deleted', async () => {
      const { store, at } = await clocked();
      const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
      const expiresAt = new Date(start + 3_600_000);
      await store.add(letter(1, { raw: { payload: Buffer.from('\ufeff{"plate":"1AB 2345"}'), expiresAt } }));
      await store.add(letter(3, { raw: { payload: bytes, expiresAt: new Date(start + 7_200_000) } }));
      await store.add(letter(5));
      const [five, three, one] = (await store.list({ limit: 10, offset: 0 })).items;
      expect(five && 'rawExpiresAt' in five).toBe(false);
      expect(three?.rawExpiresAt).toBe('2026-11-22T12:00:00.000Z');
      expect(one?.rawExpiresAt).toBe('2026-11-22T11:00:00.000Z');
      expect(await store.rawPayload(one?.id ?? 0)).toEqual({
        payload: '\ufeff{"plate":"1AB 2345"}',
        payloadEncoding: 'utf8',
        expiresAt: '2026-11-22T11:00:00.000Z',
      });
      expect(await store.rawPayload(three?.id ?? 0)).toEqual({
        payload: bytes.toString('base64'),
        payloadEncoding: 'base64',
        expiresAt: '2026-11-22T12:00:00.000Z',
      });
      const before = (await store.usage())[0]?.bytes ?? 0;
      at(3_600_000);
      expect((await store.list({ limit: 10, offset: 0 })).items.map((l) => l.rawExpiresAt)).toEqual([
        undefined,
        '2026-11-22T12:00:00.000Z',
        undefined,
      ]);
      expect(await store.rawPayload(one?.id ?? 0)).toBeUndefined(); // read past expiry: deleted
      expect((await store.usage())[0]?.bytes).toBe(before - Buffer.byteLength('\ufeff{"plate":"1AB 2345"}'));
      expect(await store.dropExpiredPayloads()).toBe(0);
      at(7_200_000);
      expect(await store.dropExpiredPayloads()).toBe(1);
      expect(await store.rawPayload(three?.id ?? 0)).toBeUndefined();
      expect((await store.usage())[0]?.bytes).toBe(
        letterBytes(letter(1)) + letterBytes(letter(3)) + letterBytes(letter(5)),
      );
      expect((await store.list({ limit: 10, offset: 0 })).total).toBe(3); // the letters stay
    });

    it('turns a gateway debug capture on until a time, and off', async () => {
      const { store, at } = await clocked();
      expect(await store.capture('gw-1')).toBeUndefined();
      await store.setCapture('gw-1', new Date(start + 60_000));
      await store.setCapture('gw-2', new Date(start + 60_000));
      expect(await store.capture('gw-1')).toEqual(new Date(start + 60_000));
      await store.setCapture('gw-1', new Date(start + 120_000));
      expect(await store.capture('gw-1')).toEqual(new Date(start + 120_000));
      await store.setCapture('gw-2', undefined);
      expect(await store.capture('gw-2')).toBeUndefined();
      at(120_000);
      expect(await store.capture('gw-1')).toBeUndefined();
    });

    it('prunes letters received before a time, with their rejections, and counts them', async () => {
      const store = await createStore({});
      for (let n = 1; n <= 4; n++) await store.add(letter(n));
      expect(await store.pruneBefore('2026-11-22T10:00:03.000Z')).toBe(2);
      const kept = await store.list({ limit: 10, offset: 0 });
      expect([kept.total, kept.items.map((l) => l.size)]).toEqual([2, [104, 103]]);
      expect(kept.items[0]?.rejections).toEqual(letter(4).rejections);
      expect(await store.list({ limit: 10, offset: 0, reason: 'invalid-reading' })).toMatchObject({
        total: 2,
      });
      expect(await store.pruneBefore('2026-11-22T10:00:03.000Z')).toBe(0);
    });
  });
}
