import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';

/** Who did what to which thing, when, and the state before and after (null when not given). */
export const auditEntry = z
  .object({
    id: z.int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    target: z.string(),
    before: z.unknown(),
    after: z.unknown(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof auditEntry>;

/**
 * Every write through the API: who did what to which thing, when, and the state before and after.
 * test/conformance/audit-log.ts is the suite every store must pass.
 */
export interface AuditLog {
  record(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  /** Newest first; `before` and `after` come back as null when they were not given. */
  list(limit: number, offset: number): Promise<{ total: number; items: AuditEntry[] }>;
  /** Deletes entries recorded before `before` (ISO); returns how many (AUDIT_RETENTION_DAYS). */
  pruneBefore(before: string): Promise<number>;
}

/**
 * The audit log an account's actions go to: its tenant's, or (`null`) the region's. Signing in,
 * out and changing a password are recorded where the account belongs.
 */
export type AuditOf = (tenant: string | null) => Pick<AuditLog, 'record'>;

/** The audit log in the embedded database. */
export class SqliteAuditLog implements AuditLog {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS audit_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
      target TEXT NOT NULL, before TEXT, after TEXT
    );
    CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);`);
  }

  async record(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        entry.at,
        entry.actor,
        entry.action,
        entry.target,
        entry.before === undefined ? null : JSON.stringify(entry.before),
        entry.after === undefined ? null : JSON.stringify(entry.after),
      );
  }

  async list(limit: number, offset: number): Promise<{ total: number; items: AuditEntry[] }> {
    const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number };
    const rows = this.db
      .prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?')
      .all(limit, offset) as Record<string, unknown>[];
    return {
      total: Number(n),
      items: rows.map((r) => ({
        id: Number(r.id),
        at: String(r.at),
        actor: String(r.actor),
        action: String(r.action),
        target: String(r.target),
        before: r.before === null ? null : JSON.parse(String(r.before)),
        after: r.after === null ? null : JSON.parse(String(r.after)),
      })),
    };
  }

  async pruneBefore(before: string): Promise<number> {
    const { changes } = this.db.prepare('DELETE FROM audit_log WHERE at < ?').run(before);
    return Number(changes);
  }
}
