import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { PostgresDirtyHourStore } from '../../cloud/rollups/postgres-dirty-hours.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { dirtyHourStoreConformance } from './dirty-hour-store.ts';

const database = testDatabase();

dirtyHourStoreConformance(
  'PostgreSQL',
  async () => new PostgresDirtyHourStore(await database.schema(tenantSchemaMigrations)),
);
