import { SqliteCommandStore } from '../../cloud/commands/store.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { commandStoreConformance } from './command-store.ts';

commandStoreConformance('SQLite', () => new SqliteCommandStore(openSqlite(':memory:')));
