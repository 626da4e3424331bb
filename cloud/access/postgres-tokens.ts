import { randomUUID } from 'node:crypto';
import type { PgSchema } from '../postgres/schema-name.ts';
import { defaultOwner, type Owner } from './owner.ts';
import type { Principal } from './principal.ts';
import type { Role } from './roles.ts';
import { digest, newSecret, type TokenRecord, type TokenStore } from './tokens.ts';

type Row = Record<string, unknown>;

function toRecord(row: Row): TokenRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    role: row.role as Role,
    createdAt: String(row.created_at),
    revoked: row.revoked === true,
    tenant: row.tenant === null ? null : String(row.tenant),
    grants: row.grants as string[],
  };
}

/**
 * API tokens in PostgreSQL (the platform schema, cluster mode), kept only as digests. Every call
 * reads the database, so a token created or revoked through one node holds on every node at once.
 */
export class PostgresTokenStore implements TokenStore {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async create(name: string, role: Role, at: Date, secret = newSecret(), by: Owner = defaultOwner) {
    const { rows } = await this.schema.pool.query<Row>(
      `INSERT INTO ${this.schema.name}.api_tokens (id, name, role, digest, created_at, tenant, grants)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [randomUUID(), name, role, digest(secret), at.toISOString(), by.tenant, JSON.stringify(by.grants)],
    );
    return { record: toRecord(rows[0] as Row), secret };
  }

  /** Two nodes ensuring one bootstrap token at once make one: the digest is unique. */
  async ensure(name: string, role: Role, secret: string, at: Date, by: Owner = defaultOwner): Promise<void> {
    await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.api_tokens (id, name, role, digest, created_at, tenant, grants)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (digest) DO NOTHING`,
      [randomUUID(), name, role, digest(secret), at.toISOString(), by.tenant, JSON.stringify(by.grants)],
    );
  }

  async verify(secret: string): Promise<Principal | undefined> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.api_tokens WHERE digest = $1 AND NOT revoked`,
      [digest(secret)],
    );
    if (!rows[0]) return undefined;
    const { id, name, role, tenant, grants } = toRecord(rows[0]);
    return { kind: 'token', id, name, role, tenant, grants };
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.api_tokens WHERE id = $1`,
      [id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async list(): Promise<TokenRecord[]> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.api_tokens ORDER BY created_at, id`,
    );
    return rows.map(toRecord);
  }

  async revoke(id: string): Promise<boolean> {
    const { rowCount } = await this.schema.pool.query(
      `UPDATE ${this.schema.name}.api_tokens SET revoked = TRUE WHERE id = $1`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  }

  async removeTenant(tenant: string): Promise<number> {
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.api_tokens WHERE tenant = $1`,
      [tenant],
    );
    await this.schema.pool.query(
      `UPDATE ${this.schema.name}.api_tokens SET grants = grants - $1::text WHERE tenant IS NULL AND grants ? $1`,
      [tenant],
    );
    return rowCount ?? 0;
  }
}
