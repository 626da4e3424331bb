import { SqliteUserStore } from '../../cloud/access/users.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { userStoreConformance } from './user-store.ts';

userStoreConformance('SQLite', () => new SqliteUserStore(openSqlite(':memory:')));
