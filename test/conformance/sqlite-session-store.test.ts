import { SqliteSessionStore } from '../../cloud/access/sessions.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { sessionStoreConformance } from './session-store.ts';

sessionStoreConformance('SQLite', () => new SqliteSessionStore(openSqlite(':memory:')));
