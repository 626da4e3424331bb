import { PostgresCommandStore } from '../../cloud/commands/postgres-store.ts';
import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { commandStoreConformance } from './command-store.ts';

const database = testDatabase();

commandStoreConformance(
  'PostgreSQL',
  async () => new PostgresCommandStore(await database.schema(tenantSchemaMigrations)),
);
