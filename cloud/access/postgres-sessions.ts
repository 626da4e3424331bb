import type { PgSchema } from '../postgres/schema-name.ts';
import type { SessionRecord, SessionStore } from './sessions.ts';

/**
 * Browser sessions in PostgreSQL (the platform schema, cluster mode): a session started through one
 * node opens the console through any node behind the load balancer, and signing out ends it on all.
 */
export class PostgresSessionStore implements SessionStore {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async create(session: SessionRecord): Promise<void> {
    await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.sessions (digest, username, csrf_token, created_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [session.digest, session.username, session.csrfToken, session.createdAt, session.lastSeenAt],
    );
  }

  async get(digest: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.schema.pool.query<Record<string, string>>(
      `SELECT * FROM ${this.schema.name}.sessions WHERE digest = $1`,
      [digest],
    );
    const row = rows[0];
    return (
      row && {
        digest: row.digest as string,
        username: row.username as string,
        csrfToken: row.csrf_token as string,
        createdAt: row.created_at as string,
        lastSeenAt: row.last_seen_at as string,
      }
    );
  }

  async touch(digest: string, lastSeenAt: Date): Promise<void> {
    await this.schema.pool.query(
      `UPDATE ${this.schema.name}.sessions SET last_seen_at = $1 WHERE digest = $2`,
      [lastSeenAt.toISOString(), digest],
    );
  }

  async delete(digest: string): Promise<boolean> {
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.sessions WHERE digest = $1`,
      [digest],
    );
    return (rowCount ?? 0) > 0;
  }

  async deleteForUser(username: string, except?: string): Promise<number> {
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.sessions WHERE username = $1 AND digest IS DISTINCT FROM $2`,
      [username, except ?? null],
    );
    return rowCount ?? 0;
  }

  async deleteExpired(idleBefore: Date, createdBefore: Date): Promise<number> {
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.sessions WHERE last_seen_at < $1 OR created_at < $2`,
      [idleBefore.toISOString(), createdBefore.toISOString()],
    );
    return rowCount ?? 0;
  }
}
