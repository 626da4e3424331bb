import { PostgresDeliveryLog } from '../../cloud/notifications/postgres-delivery-log.ts';
import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { deliveryLogConformance } from './delivery-log.ts';

const database = testDatabase();

deliveryLogConformance(
  'PostgreSQL',
  async () => new PostgresDeliveryLog(await database.schema(tenantSchemaMigrations)),
);
