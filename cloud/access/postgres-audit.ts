import type { PgSchema } from '../postgres/schema-name.ts';
import type { AuditEntry, AuditLog } from './audit.ts';

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/**
 * The audit log in PostgreSQL (a tenant's schema, or the platform schema for the region's, cluster
 * mode). Ids come from one sequence, so entries written through two nodes are listed newest first in
 * the order the database took them.
 */
export class PostgresAuditLog implements AuditLog {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async record(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.audit_log (at, actor, action, target, before, after)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [entry.at, entry.actor, entry.action, entry.target, json(entry.before), json(entry.after)],
    );
  }

  async list(limit: number, offset: number): Promise<{ total: number; items: AuditEntry[] }> {
    const count = await this.schema.pool.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM ${this.schema.name}.audit_log`,
    );
    const { rows } = await this.schema.pool.query<Record<string, string | null>>(
      `SELECT * FROM ${this.schema.name}.audit_log ORDER BY id DESC LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    return {
      total: Number(count.rows[0]?.n ?? 0),
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
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.audit_log WHERE at < $1`,
      [before],
    );
    return rowCount ?? 0;
  }
}
