import { PostgresAuditLog } from '../../cloud/access/postgres-audit.ts';
import { platformSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { auditLogConformance } from './audit-log.ts';

const database = testDatabase();

auditLogConformance(
  'PostgreSQL',
  async () => new PostgresAuditLog(await database.schema(platformSchemaMigrations)),
);
