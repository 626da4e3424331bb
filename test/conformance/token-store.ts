import { describe, expect, it } from 'vitest';
import type { TokenStore } from '../../cloud/access/tokens.ts';

/** The behaviour every TokenStore must have; a new backend calls this with a factory for empty stores. */
export function tokenStoreConformance(name: string, createStore: () => TokenStore | Promise<TokenStore>) {
  const at = new Date('2026-11-22T10:00:00.000Z');

  describe(`TokenStore conformance: ${name}`, () => {
    it('creates a token whose secret is shown once and identifies its holder', async () => {
      const store = await createStore();
      const { record, secret } = await store.create('ops', 'operator', at);
      expect(secret).toMatch(/^cst_[A-Za-z0-9_-]{32}$/);
      expect(record).toEqual({
        id: expect.any(String),
        name: 'ops',
        role: 'operator',
        createdAt: at.toISOString(),
        revoked: false,
        tenant: 'default',
        grants: [],
      });
      expect(await store.verify(secret)).toEqual({
        kind: 'token',
        id: record.id,
        name: 'ops',
        role: 'operator',
        tenant: 'default',
        grants: [],
      });
      expect(await store.verify(`${secret}x`)).toBeUndefined();
      expect(await store.get(record.id)).toEqual(record);
      expect(await store.get('missing')).toBeUndefined();
      // Each token gets its own secret.
      expect((await store.create('ops', 'operator', at)).secret).not.toBe(secret);
    });

    it('keeps only a digest: no record carries the secret', async () => {
      const store = await createStore();
      const { secret } = await store.create('ops', 'admin', at);
      expect(JSON.stringify(await store.list())).not.toContain(secret);
    });

    it('lists tokens oldest first', async () => {
      const store = await createStore();
      await store.create('second', 'viewer', new Date(at.getTime() + 1_000));
      await store.create('first', 'admin', at);
      expect((await store.list()).map((t) => t.name)).toEqual(['first', 'second']);
    });

    it('revokes a token: it no longer verifies, and is listed as revoked', async () => {
      const store = await createStore();
      const { record, secret } = await store.create('ops', 'operator', at);
      expect(await store.revoke(record.id)).toBe(true);
      expect(await store.verify(secret)).toBeUndefined();
      expect(await store.get(record.id)).toMatchObject({ revoked: true });
      expect(await store.revoke('missing')).toBe(false);
    });

    it('ensures a bootstrap token once, whatever its name the second time', async () => {
      const store = await createStore();
      await store.ensure('bootstrap-admin', 'admin', 'a-given-secret-of-enough-length', at);
      await store.ensure('other', 'viewer', 'a-given-secret-of-enough-length', at);
      expect((await store.list()).map((t) => [t.name, t.role])).toEqual([['bootstrap-admin', 'admin']]);
      expect(await store.verify('a-given-secret-of-enough-length')).toMatchObject({
        name: 'bootstrap-admin',
        role: 'admin',
      });
    });

    it('keeps whose each token is, and removes a tenant with its tokens and the grants of it', async () => {
      const store = await createStore();
      const kv = await store.create('kv', 'operator', at, undefined, { tenant: 'karlovy-vary', grants: [] });
      const region = await store.create('dispatch', 'reader', at, undefined, {
        tenant: null,
        grants: ['cheb', 'karlovy-vary'],
      });
      expect(await store.verify(kv.secret)).toMatchObject({ tenant: 'karlovy-vary', grants: [] });
      expect(await store.verify(region.secret)).toMatchObject({
        tenant: null,
        grants: ['cheb', 'karlovy-vary'],
      });
      expect(await store.removeTenant('karlovy-vary')).toBe(1);
      expect(await store.verify(kv.secret)).toBeUndefined();
      expect(await store.get(kv.record.id)).toBeUndefined();
      expect(await store.verify(region.secret)).toMatchObject({ grants: ['cheb'] });
      expect(await store.removeTenant('karlovy-vary')).toBe(0);
    });
  });
}
