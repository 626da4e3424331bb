import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { z } from 'zod';
import { defaultOwner, type Owner, owner } from './owner.ts';
import type { Principal } from './principal.ts';
import { type Role, role } from './roles.ts';

/** An API token as listed: never its secret, which only the answer that creates it shows. */
export const tokenRecord = z
  .object({
    id: z.string(),
    name: z.string(),
    role,
    createdAt: z.string(),
    revoked: z.boolean(),
    ...owner.shape,
  })
  .meta({ id: 'TokenRecord' });
export type TokenRecord = z.infer<typeof tokenRecord>;

/** API tokens are long random secrets, so a SHA-256 digest is enough to store them safely. */
export function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newSecret(): string {
  return `cst_${randomBytes(24).toString('base64url')}`;
}

/**
 * API tokens, kept only as digests. test/conformance/token-store.ts is the suite every store must pass.
 */
export interface TokenStore {
  /**
   * Creates a token (by default the default tenant's); the secret is returned once and never stored.
   * `secret` is for a given bootstrap token.
   */
  create(
    name: string,
    role: Role,
    at: Date,
    secret?: string,
    owner?: Owner,
  ): Promise<{ record: TokenRecord; secret: string }>;
  /** Ensures a token with this secret exists (ADMIN_TOKEN bootstrap); does nothing if it does. */
  ensure(name: string, role: Role, secret: string, at: Date, owner?: Owner): Promise<void>;
  /** Who holds this secret, unless the token was revoked. */
  verify(secret: string): Promise<Principal | undefined>;
  get(id: string): Promise<TokenRecord | undefined>;
  /** Oldest first. */
  list(): Promise<TokenRecord[]>;
  /** Returns whether the token exists. */
  revoke(id: string): Promise<boolean>;
  /** A tenant is deleted: its tokens go, and region tokens lose their grant of it. Returns how many went. */
  removeTenant(tenant: string): Promise<number>;
}

/** API tokens, kept only as digests in the embedded database. */
export class SqliteTokenStore implements TokenStore {
  private readonly db: DatabaseSync;
  /** Asked on every request with a token: prepared once (preparing took ~25 µs a request). */
  private readonly byDigest: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS api_tokens (
      id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, digest TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, tenant TEXT, grants TEXT NOT NULL DEFAULT '[]'
    )`);
    this.byDigest = db.prepare('SELECT * FROM api_tokens WHERE digest = ? AND revoked = 0');
  }

  async create(name: string, role: Role, at: Date, secret = newSecret(), by: Owner = defaultOwner) {
    const id = randomUUID();
    this.db
      .prepare(
        'INSERT INTO api_tokens (id, name, role, digest, created_at, tenant, grants) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, name, role, digest(secret), at.toISOString(), by.tenant, JSON.stringify(by.grants));
    return { record: (await this.get(id)) as TokenRecord, secret };
  }

  async ensure(name: string, role: Role, secret: string, at: Date, by: Owner = defaultOwner): Promise<void> {
    if (!this.db.prepare('SELECT 1 FROM api_tokens WHERE digest = ?').get(digest(secret)))
      await this.create(name, role, at, secret, by);
  }

  async verify(secret: string): Promise<Principal | undefined> {
    const row = this.byDigest.get(digest(secret)) as Record<string, unknown> | undefined;
    if (!row) return undefined;
    const { id, name, role, tenant, grants } = toRecord(row);
    return { kind: 'token', id, name, role, tenant, grants };
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as
      | Record<string, unknown>
      | undefined;
    return row && toRecord(row);
  }

  async list(): Promise<TokenRecord[]> {
    return (
      this.db.prepare('SELECT * FROM api_tokens ORDER BY created_at, id').all() as Record<string, unknown>[]
    ).map(toRecord);
  }

  async revoke(id: string): Promise<boolean> {
    return Number(this.db.prepare('UPDATE api_tokens SET revoked = 1 WHERE id = ?').run(id).changes) > 0;
  }

  async removeTenant(tenant: string): Promise<number> {
    const { changes } = this.db.prepare('DELETE FROM api_tokens WHERE tenant = ?').run(tenant);
    for (const row of this.db.prepare('SELECT id, grants FROM api_tokens WHERE tenant IS NULL').all()) {
      const grants = JSON.parse(String(row.grants)) as string[];
      if (grants.includes(tenant))
        this.db
          .prepare('UPDATE api_tokens SET grants = ? WHERE id = ?')
          .run(JSON.stringify(grants.filter((g) => g !== tenant)), String(row.id));
    }
    return Number(changes);
  }
}

function toRecord(row: Record<string, unknown>): TokenRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    role: row.role as Role,
    createdAt: String(row.created_at),
    revoked: row.revoked === 1,
    tenant: row.tenant === null ? null : String(row.tenant),
    grants: JSON.parse(String(row.grants)) as string[],
  };
}
