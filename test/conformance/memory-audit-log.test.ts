import { MemoryAuditLog } from '../../cloud/access/memory-audit.ts';
import { auditLogConformance } from './audit-log.ts';

auditLogConformance('in memory', () => new MemoryAuditLog());
