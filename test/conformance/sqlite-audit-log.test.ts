import { SqliteAuditLog } from '../../cloud/access/audit.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { auditLogConformance } from './audit-log.ts';

auditLogConformance('SQLite', () => new SqliteAuditLog(openSqlite(':memory:')));
