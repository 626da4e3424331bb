import { PostgresDatasetStore } from '../../cloud/open-data/postgres-store.ts';
import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { datasetStoreConformance } from './dataset-store.ts';

const database = testDatabase();

datasetStoreConformance(
  'PostgreSQL',
  async () => new PostgresDatasetStore(await database.schema(tenantSchemaMigrations)),
);
