import { describe, expect, it } from 'vitest';
import { platformSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { PostgresTenantStore } from '../../cloud/tenants/postgres-store.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { sampleTenant, tenantStoreConformance } from './tenant-store.ts';

const database = testDatabase();

tenantStoreConformance(
  'PostgreSQL',
  async () => new PostgresTenantStore(await database.schema(platformSchemaMigrations)),
);

describe('PostgresTenantStore', () => {
  it('two nodes changing one tenant at once: both changes are kept', async () => {
    const schema = await database.schema(platformSchemaMigrations);
    const [a, b] = [new PostgresTenantStore(schema), new PostgresTenantStore(schema)];
    await a.create(sampleTenant);
    const quotas = { ...sampleTenant.quotas, devices: 5 };
    // A third transaction holds the row, so that both changes are under way before either is written.
    const pool = await database.pool();
    const blocker = await pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM ${schema.name}.tenants WHERE id = $1 FOR UPDATE`, [sampleTenant.id]);
      const changes = [
        a.update(sampleTenant.id, { name: 'Karlsbad' }),
        b.update(sampleTenant.id, { quotas }),
      ];
      await expect
        .poll(
          async () =>
            (
              await pool.query(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
              )
            ).rowCount,
        )
        .toBe(2);
      await blocker.query('COMMIT');
      await Promise.all(changes);
    } finally {
      blocker.release();
    }
    expect(await a.get(sampleTenant.id)).toEqual({ ...sampleTenant, name: 'Karlsbad', quotas });
  });
});
