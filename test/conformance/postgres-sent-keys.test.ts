import { PostgresSentKeys } from '../../cloud/notifications/postgres-sent-keys.ts';
import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { sentKeysConformance } from './sent-keys.ts';

const database = testDatabase();

sentKeysConformance(
  'PostgreSQL',
  async () => new PostgresSentKeys(await database.schema(tenantSchemaMigrations)),
);
