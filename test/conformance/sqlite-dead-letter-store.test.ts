import { SqliteDeadLetterStore } from '../../cloud/dead-letters/sqlite-store.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { deadLetterStoreConformance } from './dead-letter-store.ts';

deadLetterStoreConformance('SQLite', (options) => new SqliteDeadLetterStore(openSqlite(':memory:'), options));
