import { SqliteDeadLetterStore } from '../../cloud/dead-letters/store.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { deadLetterStoreConformance } from './dead-letter-store.ts';

deadLetterStoreConformance('SQLite', (maxRows) => new SqliteDeadLetterStore(openSqlite(':memory:'), maxRows));
