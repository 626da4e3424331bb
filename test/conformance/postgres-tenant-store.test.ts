import { platformSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { PostgresTenantStore } from '../../cloud/tenants/postgres-store.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { tenantStoreConformance } from './tenant-store.ts';

const database = testDatabase();

tenantStoreConformance(
  'PostgreSQL',
  async () => new PostgresTenantStore(await database.schema(platformSchemaMigrations)),
);
