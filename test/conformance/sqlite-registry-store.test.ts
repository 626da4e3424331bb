import { SqliteRegistryStore } from '../../cloud/registry/sqlite-store.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { registryStoreConformance } from './registry-store.ts';

registryStoreConformance('SQLite', () => new SqliteRegistryStore(openSqlite(':memory:')));
