import { SqliteRuleStore } from '../../cloud/rules/sqlite-store.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { ruleStoreConformance } from './rule-store.ts';

ruleStoreConformance('SQLite', () => new SqliteRuleStore(openSqlite(':memory:')));
