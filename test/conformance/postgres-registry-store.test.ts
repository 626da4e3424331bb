import { describe, expect, it } from 'vitest';
import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { PostgresRegistryStore } from '../../cloud/registry/postgres-store.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { registryStoreConformance } from './registry-store.ts';

const database = testDatabase();

registryStoreConformance(
  'PostgreSQL',
  async () => new PostgresRegistryStore(await database.schema(tenantSchemaMigrations)),
);

describe('PostgresRegistryStore', () => {
  it('saves many devices in one statement', async () => {
    const store = new PostgresRegistryStore(await database.schema(tenantSchemaMigrations));
    const devices = Array.from({ length: 2_500 }, (_, i) => ({
      id: `lamp-${i}`,
      kind: 'streetlight' as const,
      gatewayId: 'gw-a',
      district: 'centrum',
      provisioned: true,
      latest: { activePower: i },
    }));
    await store.saveDevices(devices);
    expect(await store.loadDevices()).toHaveLength(2_500);
    expect(await store.getDevice('lamp-2499')).toMatchObject({ latest: { activePower: 2499 } });
  });

  it('keeps the last of two records of one device saved together', async () => {
    const store = new PostgresRegistryStore(await database.schema(tenantSchemaMigrations));
    const lamp = {
      id: 'lamp-1',
      kind: 'streetlight' as const,
      gatewayId: 'gw-a',
      district: 'centrum',
      provisioned: true,
    };
    await store.saveDevices([
      { ...lamp, latest: { activePower: 1 } },
      { ...lamp, latest: { activePower: 2 } },
    ]);
    expect(await store.loadDevices()).toEqual([{ ...lamp, latest: { activePower: 2 } }]);
  });
});
