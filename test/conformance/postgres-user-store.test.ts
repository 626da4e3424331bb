import { PostgresUserStore } from '../../cloud/access/postgres-users.ts';
import { platformSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { userStoreConformance } from './user-store.ts';

const database = testDatabase();

userStoreConformance(
  'PostgreSQL',
  async () => new PostgresUserStore(await database.schema(platformSchemaMigrations)),
);
