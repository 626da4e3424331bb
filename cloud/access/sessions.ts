import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { z } from 'zod';

/**
 * A browser session. The session id is a random secret held only by the browser (cookie
 * `csp_session`); the store keeps its SHA-256 digest, so a copy of the database opens no session.
 */
export const sessionRecord = z.object({
  /** SHA-256 of the session id, hex. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  username: z.string(),
  /** Sent back in X-CSRF-Token by the console on every change it makes. */
  csrfToken: z.string(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
});
export type SessionRecord = z.infer<typeof sessionRecord>;

/** Browser sessions by digest. test/conformance/session-store.ts is the suite every store must pass. */
export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  get(digest: string): Promise<SessionRecord | undefined>;
  touch(digest: string, lastSeenAt: Date): Promise<void>;
  /** Returns whether there was such a session. */
  delete(digest: string): Promise<boolean>;
  /** Ends every session of a user but the one with digest `except`; returns how many. */
  deleteForUser(username: string, except?: string): Promise<number>;
  /** Deletes sessions last seen before `idleBefore` or created before `createdBefore`; returns how many. */
  deleteExpired(idleBefore: Date, createdBefore: Date): Promise<number>;
}

/** Browser sessions in the embedded database. */
export class SqliteSessionStore implements SessionStore {
  private readonly db: DatabaseSync;
  /** Asked on every request with the session cookie: prepared once. */
  private readonly byDigest: StatementSync;
  private readonly seen: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS sessions (
      digest TEXT PRIMARY KEY, username TEXT NOT NULL, csrf_token TEXT NOT NULL,
      created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS sessions_username ON sessions (username);`);
    this.byDigest = db.prepare('SELECT * FROM sessions WHERE digest = ?');
    this.seen = db.prepare('UPDATE sessions SET last_seen_at = ? WHERE digest = ?');
  }

  async create(session: SessionRecord): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO sessions (digest, username, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(session.digest, session.username, session.csrfToken, session.createdAt, session.lastSeenAt);
  }

  async get(digest: string): Promise<SessionRecord | undefined> {
    const row = this.byDigest.get(digest);
    return (
      row && {
        digest: String(row.digest),
        username: String(row.username),
        csrfToken: String(row.csrf_token),
        createdAt: String(row.created_at),
        lastSeenAt: String(row.last_seen_at),
      }
    );
  }

  async touch(digest: string, lastSeenAt: Date): Promise<void> {
    this.seen.run(lastSeenAt.toISOString(), digest);
  }

  async delete(digest: string): Promise<boolean> {
    return Number(this.db.prepare('DELETE FROM sessions WHERE digest = ?').run(digest).changes) > 0;
  }

  async deleteForUser(username: string, except?: string): Promise<number> {
    const { changes } = this.db
      .prepare('DELETE FROM sessions WHERE username = ? AND digest IS NOT ?')
      .run(username, except ?? null);
    return Number(changes);
  }

  async deleteExpired(idleBefore: Date, createdBefore: Date): Promise<number> {
    const { changes } = this.db
      .prepare('DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?')
      .run(idleBefore.toISOString(), createdBefore.toISOString());
    return Number(changes);
  }
}
