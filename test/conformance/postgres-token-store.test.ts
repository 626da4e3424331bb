import { PostgresTokenStore } from '../../cloud/access/postgres-tokens.ts';
import { platformSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { tokenStoreConformance } from './token-store.ts';

const database = testDatabase();

tokenStoreConformance(
  'PostgreSQL',
  async () => new PostgresTokenStore(await database.schema(platformSchemaMigrations)),
);
