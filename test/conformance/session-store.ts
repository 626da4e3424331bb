import { describe, expect, it } from 'vitest';
import type { SessionRecord, SessionStore } from '../../cloud/access/sessions.ts';

/** The behaviour every SessionStore must have; a new backend calls this with a factory for empty stores. */
export function sessionStoreConformance(
  name: string,
  createStore: () => SessionStore | Promise<SessionStore>,
) {
  const session = (n: number, extra: Partial<SessionRecord> = {}): SessionRecord => ({
    digest: n.toString(16).padStart(64, '0'),
    username: 'jana',
    csrfToken: `csrf-${n}`,
    createdAt: '2026-11-22T10:00:00.000Z',
    lastSeenAt: '2026-11-22T10:00:00.000Z',
    ...extra,
  });

  describe(`SessionStore conformance: ${name}`, () => {
    it('creates a session and finds it by digest', async () => {
      const store = await createStore();
      await store.create(session(1));
      expect(await store.get(session(1).digest)).toEqual(session(1));
      expect(await store.get(session(2).digest)).toBeUndefined();
    });

    it('refuses a second session with the same digest', async () => {
      const store = await createStore();
      await store.create(session(1));
      await expect(store.create(session(1, { username: 'petr' }))).rejects.toThrow();
      expect(await store.get(session(1).digest)).toMatchObject({ username: 'jana' });
    });

    it('touches a session: only its last-seen time changes', async () => {
      const store = await createStore();
      await store.create(session(1));
      await store.create(session(2));
      await store.touch(session(1).digest, new Date('2026-11-22T11:00:00.000Z'));
      expect(await store.get(session(1).digest)).toEqual(
        session(1, { lastSeenAt: '2026-11-22T11:00:00.000Z' }),
      );
      expect(await store.get(session(2).digest)).toEqual(session(2));
      await store.touch(session(3).digest, new Date());
      expect(await store.get(session(3).digest)).toBeUndefined();
    });

    it('deletes one session, and says whether there was one', async () => {
      const store = await createStore();
      await store.create(session(1));
      await store.create(session(2));
      expect(await store.delete(session(1).digest)).toBe(true);
      expect(await store.delete(session(1).digest)).toBe(false);
      expect(await store.get(session(1).digest)).toBeUndefined();
      expect(await store.get(session(2).digest)).toEqual(session(2));
    });

    it("deletes a user's sessions, all or all but one, and no one else's", async () => {
      const store = await createStore();
      await store.create(session(1));
      await store.create(session(2));
      await store.create(session(3));
      await store.create(session(4, { username: 'petr' }));
      expect(await store.deleteForUser('jana', session(2).digest)).toBe(2);
      expect(await store.get(session(2).digest)).toEqual(session(2));
      expect(await store.get(session(1).digest)).toBeUndefined();
      expect(await store.deleteForUser('jana')).toBe(1);
      expect(await store.get(session(2).digest)).toBeUndefined();
      expect(await store.get(session(4).digest)).toEqual(session(4, { username: 'petr' }));
      expect(await store.deleteForUser('nobody')).toBe(0);
    });

    it('deletes sessions idle or created before the given instants (strictly before)', async () => {
      const store = await createStore();
      const idle = session(1, {
        lastSeenAt: '2026-11-22T09:59:59.999Z',
        createdAt: '2026-11-22T09:00:00.000Z',
      });
      const idleEdge = session(2, {
        lastSeenAt: '2026-11-22T10:00:00.000Z',
        createdAt: '2026-11-22T09:00:00.000Z',
      });
      const old = session(3, {
        createdAt: '2026-11-22T07:59:59.999Z',
        lastSeenAt: '2026-11-22T11:00:00.000Z',
      });
      const oldEdge = session(4, {
        createdAt: '2026-11-22T08:00:00.000Z',
        lastSeenAt: '2026-11-22T11:00:00.000Z',
      });
      for (const s of [idle, idleEdge, old, oldEdge]) await store.create(s);
      expect(
        await store.deleteExpired(new Date('2026-11-22T10:00:00.000Z'), new Date('2026-11-22T08:00:00.000Z')),
      ).toBe(2);
      expect(await store.get(idle.digest)).toBeUndefined();
      expect(await store.get(old.digest)).toBeUndefined();
      expect(await store.get(idleEdge.digest)).toEqual(idleEdge);
      expect(await store.get(oldEdge.digest)).toEqual(oldEdge);
    });
  });
}
