import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { PostgresRuleStore } from '../../cloud/rules/postgres-store.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { ruleStoreConformance } from './rule-store.ts';

const database = testDatabase();

ruleStoreConformance(
  'PostgreSQL',
  async () => new PostgresRuleStore(await database.schema(tenantSchemaMigrations)),
);
