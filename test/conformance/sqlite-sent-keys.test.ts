import { SqliteSentKeys } from '../../cloud/notifications/sent-keys.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { sentKeysConformance } from './sent-keys.ts';

sentKeysConformance('SQLite', () => new SqliteSentKeys(openSqlite(':memory:')));
