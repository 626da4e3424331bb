import { describe, expect, it } from 'vitest';
import type { DeliveryLog, DeliveryRecord } from '../../cloud/notifications/delivery-log.ts';

/** The behaviour every DeliveryLog must have; a new backend calls this with a factory for empty logs. */
export function deliveryLogConformance(name: string, createLog: () => DeliveryLog | Promise<DeliveryLog>) {
  const started = (id: string, subjectId = 'alert-1', channel = 'ops') =>
    ({ id, channel, event: 'alert', subjectId, transition: 'fired' }) as const;
  const at = (second: number) => `2026-11-30T10:00:${String(second).padStart(2, '0')}.000Z`;

  describe(`DeliveryLog conformance: ${name}`, () => {
    it('starts a delivery pending, then records each attempt and the state it leads to', async () => {
      const log = await createLog();
      await log.start(started('d1'), at(1));
      expect(await log.get('d1')).toEqual({
        ...started('d1'),
        state: 'pending',
        attempts: 0,
        createdAt: at(1),
        updatedAt: at(1),
      } satisfies DeliveryRecord);
      await log.attempt('d1', { status: 500, state: 'pending' }, at(2));
      await log.attempt('d1', { error: 'timed out', state: 'pending' }, at(3));
      const after = await log.get('d1');
      expect(after).toMatchObject({
        attempts: 2,
        state: 'pending',
        lastError: 'timed out',
        updatedAt: at(3),
      });
      expect(after?.lastStatus).toBeUndefined();
      await log.attempt('d1', { status: 200, state: 'delivered' }, at(4));
      expect(await log.get('d1')).toMatchObject({ attempts: 3, state: 'delivered', lastStatus: 200 });
      expect((await log.get('d1'))?.lastError).toBeUndefined();
      expect(await log.get('nope')).toBeUndefined();
    });

    it('finishes a delivery without an attempt', async () => {
      const log = await createLog();
      await log.start(started('d1'), at(1));
      await log.finish('d1', 'failed', 'channel closed', at(5));
      expect(await log.get('d1')).toMatchObject({
        attempts: 0,
        state: 'failed',
        lastError: 'channel closed',
        createdAt: at(1),
        updatedAt: at(5),
      });
    });

    it('lists newest first (the later started first at one instant), filtered and limited', async () => {
      const log = await createLog();
      await log.start(started('a', 'alert-1', 'ops'), at(1));
      await log.start(started('b', 'alert-2', 'ops'), at(3));
      await log.start(started('c', 'alert-1', 'city'), at(2));
      await log.start(started('d', 'alert-2', 'city'), at(2));
      await log.attempt('a', { status: 200, state: 'delivered' }, at(4));
      const ids = async (query?: Parameters<DeliveryLog['list']>[0]) =>
        (await log.list(query)).map((d) => d.id);
      expect(await ids()).toEqual(['b', 'd', 'c', 'a']);
      expect(await ids({ channel: 'city' })).toEqual(['d', 'c']);
      expect(await ids({ subjectId: 'alert-1' })).toEqual(['c', 'a']);
      expect(await ids({ state: 'delivered' })).toEqual(['a']);
      expect(await ids({ state: 'pending', channel: 'ops' })).toEqual(['b']);
      expect(await ids({ limit: 2 })).toEqual(['b', 'd']);
    });

    it('prunes deliveries created before a time and counts them', async () => {
      const log = await createLog();
      for (const [id, second] of [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ] as const)
        await log.start(started(id), at(second));
      await log.attempt('a', { status: 200, state: 'delivered' }, at(9));
      expect(await log.pruneBefore(at(3))).toBe(2);
      expect((await log.list()).map((d) => d.id)).toEqual(['c']);
      expect(await log.pruneBefore(at(3))).toBe(0);
    });
  });
}
