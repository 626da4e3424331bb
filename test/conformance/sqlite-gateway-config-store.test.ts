import { SqliteGatewayConfigStore } from '../../cloud/gateway-config/sqlite-store.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { gatewayConfigStoreConformance } from './gateway-config-store.ts';

gatewayConfigStoreConformance('SQLite', () => new SqliteGatewayConfigStore(openSqlite(':memory:')));
