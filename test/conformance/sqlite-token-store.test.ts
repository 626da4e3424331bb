import { SqliteTokenStore } from '../../cloud/access/tokens.ts';
import { openSqlite } from '../../cloud/storage/sqlite.ts';
import { tokenStoreConformance } from './token-store.ts';

tokenStoreConformance('SQLite', () => new SqliteTokenStore(openSqlite(':memory:')));
