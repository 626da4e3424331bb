import { SqliteTokenStore } from '../../cloud/access/tokens.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { tokenStoreConformance } from './token-store.ts';

tokenStoreConformance('SQLite', () => new SqliteTokenStore(openSqlite(':memory:')));
