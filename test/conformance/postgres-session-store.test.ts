import { PostgresSessionStore } from '../../cloud/access/postgres-sessions.ts';
import { platformSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { sessionStoreConformance } from './session-store.ts';

const database = testDatabase();

sessionStoreConformance(
  'PostgreSQL',
  async () => new PostgresSessionStore(await database.schema(platformSchemaMigrations)),
);
