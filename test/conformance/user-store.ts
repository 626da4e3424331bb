import { describe, expect, it } from 'vitest';
import type { LoginState } from '../../cloud/access/lockout.ts';
import type { NewUser, UserStore } from '../../cloud/access/users.ts';
import { ConflictError } from '../../cloud/errors/domain-error.ts';

/** The behaviour every UserStore must have; a new backend calls this with a factory for empty stores. */
export function userStoreConformance(name: string, createStore: () => UserStore | Promise<UserStore>) {
  const at = new Date('2026-11-22T10:00:00.000Z');
  const draft = (username: string, extra: Partial<NewUser> = {}): NewUser => ({
    username,
    displayName: `${username} display`,
    role: 'operator',
    passwordHash: `hash-of-${username}`,
    mustChangePassword: false,
    ...extra,
  });

  describe(`UserStore conformance: ${name}`, () => {
    it('creates a user, enabled, and reads it back without its hash', async () => {
      const store = await createStore();
      const created = await store.create(draft('jana', { role: 'admin', mustChangePassword: true }), at);
      expect(created).toEqual({
        username: 'jana',
        displayName: 'jana display',
        role: 'admin',
        disabled: false,
        createdAt: at.toISOString(),
        mustChangePassword: true,
        tenant: 'default',
        grants: [],
      });
      expect(await store.get('jana')).toEqual(created);
      expect(await store.get('petr')).toBeUndefined();
      expect(await store.passwordHash('jana')).toBe('hash-of-jana');
      expect(await store.passwordHash('petr')).toBeUndefined();
      expect(JSON.stringify(await store.list())).not.toContain('hash-of');
    });

    it('refuses a username that is taken, and keeps the first account', async () => {
      const store = await createStore();
      await store.create(draft('jana'), at);
      await expect(
        store.create(draft('jana', { role: 'viewer', passwordHash: 'other' }), at),
      ).rejects.toThrow(ConflictError);
      expect(await store.get('jana')).toMatchObject({ role: 'operator' });
      expect(await store.passwordHash('jana')).toBe('hash-of-jana');
    });

    it('lists users by username', async () => {
      const store = await createStore();
      for (const username of ['petr', 'anna', 'jana']) await store.create(draft(username), at);
      expect((await store.list()).map((u) => u.username)).toEqual(['anna', 'jana', 'petr']);
    });

    it('updates only the fields given, and answers undefined for an unknown user', async () => {
      const store = await createStore();
      await store.create(draft('jana'), at);
      await store.create(draft('petr'), at);
      const changed = await store.update('jana', {
        role: 'viewer',
        disabled: true,
        lastSignInAt: '2026-11-22T11:00:00.000Z',
        passwordHash: 'new-hash',
      });
      expect(changed).toEqual({
        username: 'jana',
        displayName: 'jana display',
        role: 'viewer',
        disabled: true,
        createdAt: at.toISOString(),
        lastSignInAt: '2026-11-22T11:00:00.000Z',
        mustChangePassword: false,
        tenant: 'default',
        grants: [],
      });
      expect(await store.passwordHash('jana')).toBe('new-hash');
      expect(await store.update('jana', { displayName: 'Jana N.', disabled: false })).toMatchObject({
        displayName: 'Jana N.',
        role: 'viewer',
        disabled: false,
      });
      expect(await store.update('jana', {})).toMatchObject({ displayName: 'Jana N.' });
      expect(await store.get('petr')).toMatchObject({
        displayName: 'petr display',
        role: 'operator',
        disabled: false,
      });
      expect(await store.passwordHash('petr')).toBe('hash-of-petr');
      expect(await store.update('nobody', { disabled: true })).toBeUndefined();
    });

    it('keeps login states per username, also for names no account has, until told to forget them', async () => {
      const store = await createStore();
      const failing: LoginState = { failures: ['2026-11-22T10:00:00.000Z', '2026-11-22T10:01:00.000Z'] };
      const locked: LoginState = { failures: [], lockedUntil: '2026-11-22T10:30:00.000Z' };
      expect(await store.loginState('nobody')).toEqual({ failures: [] });
      await store.setLoginState('nobody', failing, new Date('2026-11-22T10:16:00.000Z'));
      await store.setLoginState('jana', locked, new Date('2026-11-22T10:30:00.000Z'));
      expect(await store.loginState('nobody')).toEqual(failing);
      expect(await store.loginState('jana')).toEqual(locked);
      // Forgotten at (not before) their instant.
      expect(await store.forgetLoginStates(new Date('2026-11-22T10:15:59.999Z'))).toBe(0);
      expect(await store.forgetLoginStates(new Date('2026-11-22T10:16:00.000Z'))).toBe(1);
      expect(await store.loginState('nobody')).toEqual({ failures: [] });
      expect(await store.loginState('jana')).toEqual(locked);
      // A state with nothing in it is deleted at once.
      await store.setLoginState('jana', { failures: [] }, at);
      expect(await store.loginState('jana')).toEqual({ failures: [] });
      expect(await store.forgetLoginStates(new Date('2027-01-01T00:00:00.000Z'))).toBe(0);
    });

    it('replaces a login state, keeping its new time to forget', async () => {
      const store = await createStore();
      await store.setLoginState('jana', { failures: ['2026-11-22T10:00:00.000Z'] }, at);
      const later: LoginState = { failures: ['2026-11-22T10:00:00.000Z', '2026-11-22T10:05:00.000Z'] };
      await store.setLoginState('jana', later, new Date('2026-11-22T10:20:00.000Z'));
      expect(await store.forgetLoginStates(new Date('2026-11-22T10:19:00.000Z'))).toBe(0);
      expect(await store.loginState('jana')).toEqual(later);
    });

    it('returns copies: changing an answer changes nothing stored', async () => {
      const store = await createStore();
      const created = await store.create(draft('jana'), at);
      created.role = 'admin';
      const state: LoginState = { failures: ['2026-11-22T10:00:00.000Z'] };
      await store.setLoginState('jana', state, at);
      state.failures.push('2026-11-22T10:01:00.000Z');
      (await store.loginState('jana')).failures.push('x');
      expect(await store.get('jana')).toMatchObject({ role: 'operator' });
      expect(await store.loginState('jana')).toEqual({ failures: ['2026-11-22T10:00:00.000Z'] });
    });

    it('keeps whose each account is, and removes a tenant with its accounts and the grants of it', async () => {
      const store = await createStore();
      const user = (username: string, owner: { tenant: string | null; grants: string[] }) =>
        store.create(
          {
            username,
            displayName: username,
            role: 'viewer',
            passwordHash: 'h',
            mustChangePassword: false,
            owner,
          },
          at,
        );
      expect(await user('kv-tech', { tenant: 'karlovy-vary', grants: [] })).toMatchObject({
        tenant: 'karlovy-vary',
        grants: [],
      });
      await user('cheb-tech', { tenant: 'cheb', grants: [] });
      await user('dispatch', { tenant: null, grants: ['cheb', 'karlovy-vary'] });
      expect(await store.update('dispatch', { grants: ['cheb', 'karlovy-vary', 'loket'] })).toMatchObject({
        grants: ['cheb', 'karlovy-vary', 'loket'],
      });
      expect(await store.removeTenant('karlovy-vary')).toEqual(['kv-tech']);
      expect(await store.get('kv-tech')).toBeUndefined();
      expect(await store.get('cheb-tech')).toMatchObject({ tenant: 'cheb' });
      expect(await store.get('dispatch')).toMatchObject({ tenant: null, grants: ['cheb', 'loket'] });
      expect(await store.removeTenant('karlovy-vary')).toEqual([]);
    });
  });
}
