import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { SqliteTenantStore } from '../../cloud/tenants/sqlite-store.ts';
import { tenantStoreConformance } from './tenant-store.ts';

tenantStoreConformance('sqlite', () => new SqliteTenantStore(openSqlite(':memory:')));
