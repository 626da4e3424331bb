import { describe, expect, it } from 'vitest';
import type { Tenant } from '../../cloud/tenants/schema.ts';
import type { TenantStore } from '../../cloud/tenants/store.ts';

export const sampleTenant: Tenant = {
  id: 'karlovy-vary',
  name: 'Karlovy Vary',
  timezone: 'Europe/Prague',
  location: { lat: 50.231, lon: 12.871 },
  status: 'active',
  quotas: {
    devices: 1000,
    gateways: 20,
    messagesPerSecond: 50,
    deadLetterBytes: 1_000_000,
    retentionDays: 400,
  },
  createdAt: '2026-11-30T08:00:00.000Z',
};

/** The behaviour every TenantStore must have; a new backend calls this with a factory for empty stores. */
export function tenantStoreConformance(name: string, createStore: () => TenantStore | Promise<TenantStore>) {
  describe(`TenantStore conformance: ${name}`, () => {
    it('creates, reads and lists tenants by id', async () => {
      const store = await createStore();
      expect(await store.list()).toEqual([]);
      await store.create({ ...sampleTenant, id: 'loket', name: 'Loket' });
      expect(await store.create(sampleTenant)).toEqual(sampleTenant);
      expect(await store.get('karlovy-vary')).toEqual(sampleTenant);
      expect(await store.get('cheb')).toBeUndefined();
      expect((await store.list()).map((t) => t.id)).toEqual(['karlovy-vary', 'loket']);
    });

    it('refuses a second tenant with the same id and keeps the first', async () => {
      const store = await createStore();
      await store.create(sampleTenant);
      await expect(store.create({ ...sampleTenant, name: 'Other' })).rejects.toThrow(/karlovy-vary exists/);
      expect((await store.get('karlovy-vary'))?.name).toBe('Karlovy Vary');
    });

    it('changes only the fields given', async () => {
      const store = await createStore();
      await store.create(sampleTenant);
      const quotas = { ...sampleTenant.quotas, devices: 5 };
      const changed = await store.update('karlovy-vary', { status: 'suspended', quotas, name: undefined });
      expect(changed).toEqual({ ...sampleTenant, status: 'suspended', quotas });
      expect(await store.get('karlovy-vary')).toEqual(changed);
      expect(await store.update('cheb', { status: 'active' })).toBeUndefined();
    });

    it('refuses a change that makes the record invalid', async () => {
      const store = await createStore();
      await store.create(sampleTenant);
      await expect(
        store.update('karlovy-vary', { quotas: { ...sampleTenant.quotas, devices: -1 } }),
      ).rejects.toThrow();
      expect(await store.get('karlovy-vary')).toEqual(sampleTenant);
    });

    it('removes a tenant and says whether it existed', async () => {
      const store = await createStore();
      await store.create(sampleTenant);
      expect(await store.remove('karlovy-vary')).toBe(true);
      expect(await store.remove('karlovy-vary')).toBe(false);
      expect(await store.list()).toEqual([]);
      await store.create(sampleTenant);
      expect(await store.get('karlovy-vary')).toEqual(sampleTenant);
    });
  });
}
