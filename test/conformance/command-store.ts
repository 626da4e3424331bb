import { describe, expect, it } from 'vitest';
import type { CommandRecord, CommandStore } from '../../cloud/commands/store.ts';

/** The behaviour every CommandStore must have; a new backend calls this with a factory for empty stores. */
export function commandStoreConformance(
  name: string,
  createStore: () => CommandStore | Promise<CommandStore>,
) {
  const minute = (m: number) => new Date(Date.parse('2026-11-22T10:00:00.000Z') + m * 60_000).toISOString();
  const command = (id: string, overrides: Partial<CommandRecord> = {}): CommandRecord => ({
    id,
    deviceId: 'lamp-1',
    gatewayId: 'gw-1',
    kind: 'streetlight',
    command: { action: 'setDimming', level: 40 },
    status: 'pending',
    createdAt: minute(0),
    expiresAt: minute(10),
    ...overrides,
  });

  describe(`CommandStore conformance: ${name}`, () => {
    it('stores commands together and reads each back', async () => {
      const store = await createStore();
      await store.insert([
        command('c1'),
        command('c2', { deviceId: 'lamp-2', command: { action: 'switch', on: false } }),
      ]);
      expect(await store.get('c1')).toEqual(command('c1'));
      expect(await store.get('c2')).toMatchObject({
        deviceId: 'lamp-2',
        command: { action: 'switch', on: false },
      });
      expect(await store.get('missing')).toBeUndefined();
    });

    it('stores a command as new: what later transitions set is not taken from it', async () => {
      const store = await createStore();
      await store.insert([command('c1', { sentAt: minute(1), detail: 'x' })]);
      expect(await store.get('c1')).toEqual(command('c1'));
    });

    it('moves a command through its statuses, stamping each, and never out of a final one', async () => {
      const store = await createStore();
      await store.insert([command('c1')]);
      expect(await store.transition('c1', 'sent', minute(1))).toBe(true);
      expect(await store.transition('c1', 'delivered', minute(2), 'puback')).toBe(true);
      expect(await store.transition('c1', 'succeeded', minute(3))).toBe(true);
      expect(await store.get('c1')).toMatchObject({
        status: 'succeeded',
        sentAt: minute(1),
        deliveredAt: minute(2),
        completedAt: minute(3),
        detail: 'puback',
      });
      for (const status of ['failed', 'expired', 'delivered', 'pending'] as const)
        expect(await store.transition('c1', status, minute(4), 'late')).toBe(false);
      expect(await store.get('c1')).toMatchObject({
        status: 'succeeded',
        completedAt: minute(3),
        detail: 'puback',
      });
      expect(await store.transition('missing', 'sent', minute(1))).toBe(false);
    });

    it('every final status is final', async () => {
      const store = await createStore();
      for (const status of ['succeeded', 'failed', 'rejected', 'expired'] as const) {
        await store.insert([command(status)]);
        expect(await store.transition(status, status, minute(1), status)).toBe(true);
        expect(await store.transition(status, 'succeeded', minute(2))).toBe(false);
        expect(await store.get(status)).toMatchObject({ status, completedAt: minute(1), detail: status });
      }
    });

    it('finds what a gateway still has to get: pending or sent, oldest first', async () => {
      const store = await createStore();
      await store.insert([
        command('late', { createdAt: minute(2) }),
        command('early', { createdAt: minute(1) }),
        command('delivered', { createdAt: minute(0) }),
        command('other-gateway', { gatewayId: 'gw-2' }),
      ]);
      await store.transition('late', 'sent', minute(3));
      await store.transition('delivered', 'delivered', minute(3));
      expect((await store.undelivered('gw-1')).map((c) => c.id)).toEqual(['early', 'late']);
      expect(await store.undelivered('gw-3')).toEqual([]);
    });

    it('finds open commands whose deadline is before a time', async () => {
      const store = await createStore();
      await store.insert([
        command('due', { expiresAt: minute(5) }),
        command('at-deadline', { expiresAt: minute(6) }),
        command('done', { expiresAt: minute(1) }),
        command('delivered', { expiresAt: minute(1) }),
      ]);
      await store.transition('done', 'failed', minute(0));
      await store.transition('delivered', 'delivered', minute(0));
      expect((await store.overdue(minute(6))).map((c) => c.id).sort()).toEqual(['delivered', 'due']);
    });

    it('lists newest first, filtered by status, device and gateway, counted and paged', async () => {
      const store = await createStore();
      await store.insert([
        command('a', { createdAt: minute(1) }),
        command('b', { createdAt: minute(2), deviceId: 'lamp-2' }),
        command('c', { createdAt: minute(3), gatewayId: 'gw-2' }),
        command('d', { createdAt: minute(3) }),
      ]);
      await store.transition('a', 'sent', minute(4));
      const ids = async (query: Partial<Parameters<CommandStore['list']>[0]>) =>
        (await store.list({ limit: 10, offset: 0, ...query })).items.map((c) => c.id);
      expect(await ids({})).toEqual(['c', 'd', 'b', 'a']);
      expect(await ids({ status: 'sent' })).toEqual(['a']);
      expect(await ids({ status: 'pending', deviceId: 'lamp-1' })).toEqual(['c', 'd']);
      expect(await ids({ gatewayId: 'gw-2' })).toEqual(['c']);
      const page = await store.list({ limit: 2, offset: 1 });
      expect([page.total, page.items.map((c) => c.id)]).toEqual([4, ['d', 'b']]);
    });

    it('prunes commands finished before a time, keeping open ones whatever their age', async () => {
      const store = await createStore();
      await store.insert([
        command('old-done'),
        command('old-expired'),
        command('recent-done'),
        command('old-open', { expiresAt: minute(1) }),
        command('old-delivered'),
      ]);
      await store.transition('old-done', 'succeeded', minute(1));
      await store.transition('old-expired', 'expired', minute(2));
      await store.transition('recent-done', 'failed', minute(5));
      await store.transition('old-delivered', 'delivered', minute(1));
      expect(await store.pruneFinished(minute(5))).toBe(2);
      expect(await store.get('old-done')).toBeUndefined();
      expect(await store.get('old-expired')).toBeUndefined();
      const ids = (await store.list({ limit: 10, offset: 0 })).items.map((c) => c.id).sort();
      expect(ids).toEqual(['old-delivered', 'old-open', 'recent-done']);
      expect(await store.pruneFinished(minute(5))).toBe(0);
    });
  });
}
