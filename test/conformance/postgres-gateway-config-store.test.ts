import { PostgresGatewayConfigStore } from '../../cloud/gateway-config/postgres-store.ts';
import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { gatewayConfigStoreConformance } from './gateway-config-store.ts';

const database = testDatabase();

gatewayConfigStoreConformance(
  'PostgreSQL',
  async () => new PostgresGatewayConfigStore(await database.schema(tenantSchemaMigrations)),
);
