import { ConflictError } from '../errors/domain-error.ts';
import type { PgSchema } from '../postgres/schema-name.ts';
import { type LoginState, loginState, noFailures } from './lockout.ts';
import { defaultOwner } from './owner.ts';
import type { NewUser, UserChange, UserRecord, UserStore } from './users.ts';

type Row = Record<string, unknown>;

const columns: Record<keyof UserChange, string> = {
  displayName: 'display_name',
  role: 'role',
  disabled: 'disabled',
  mustChangePassword: 'must_change_password',
  lastSignInAt: 'last_sign_in_at',
  passwordHash: 'password_hash',
  grants: 'grants',
};

function toRecord(row: Row): UserRecord {
  return {
    username: String(row.username),
    displayName: String(row.display_name),
    role: row.role as UserRecord['role'],
    disabled: row.disabled === true,
    createdAt: String(row.created_at),
    ...(row.last_sign_in_at !== null && { lastSignInAt: String(row.last_sign_in_at) }),
    mustChangePassword: row.must_change_password === true,
    tenant: row.tenant === null ? null : String(row.tenant),
    grants: row.grants as string[],
  };
}

/**
 * User accounts and sign-in lock-out states in PostgreSQL (the platform schema, cluster mode). Every
 * call reads the database: an account disabled through one node is disabled on all at once, and the
 * failures counted against a username add up whichever node the sign-ins reach (the last write of a
 * state wins: two failures at the same instant on two nodes may count as one).
 */
export class PostgresUserStore implements UserStore {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async create(user: NewUser, at: Date): Promise<UserRecord> {
    const owner = user.owner ?? defaultOwner;
    const { rows } = await this.schema.pool.query<Row>(
      `INSERT INTO ${this.schema.name}.users
        (username, display_name, role, password_hash, must_change_password, created_at, tenant, grants)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (username) DO NOTHING RETURNING *`,
      [
        user.username,
        user.displayName,
        user.role,
        user.passwordHash,
        user.mustChangePassword,
        at.toISOString(),
        owner.tenant,
        JSON.stringify(owner.grants),
      ],
    );
    if (!rows[0]) throw new ConflictError(`user ${user.username} exists`);
    return toRecord(rows[0]);
  }

  async get(username: string): Promise<UserRecord | undefined> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.users WHERE username = $1`,
      [username],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async passwordHash(username: string): Promise<string | undefined> {
    const { rows } = await this.schema.pool.query<{ password_hash: string }>(
      `SELECT password_hash FROM ${this.schema.name}.users WHERE username = $1`,
      [username],
    );
    return rows[0]?.password_hash;
  }

  async list(): Promise<UserRecord[]> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.users ORDER BY username`,
    );
    return rows.map(toRecord);
  }

  async update(username: string, change: UserChange): Promise<UserRecord | undefined> {
    const entries = Object.entries(change).filter(([, value]) => value !== undefined) as [
      keyof UserChange,
      unknown,
    ][];
    if (entries.length === 0) return this.get(username);
    const set = entries.map(([key], i) => `${columns[key]} = $${i + 1}`).join(', ');
    const { rows } = await this.schema.pool.query<Row>(
      `UPDATE ${this.schema.name}.users SET ${set} WHERE username = $${entries.length + 1} RETURNING *`,
      [...entries.map(([, value]) => (Array.isArray(value) ? JSON.stringify(value) : value)), username],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async loginState(key: string): Promise<LoginState> {
    const { rows } = await this.schema.pool.query<{ state: string }>(
      `SELECT state FROM ${this.schema.name}.login_states WHERE login_key = $1`,
      [key],
    );
    return rows[0] ? loginState.parse(JSON.parse(rows[0].state)) : { ...noFailures, failures: [] };
  }

  async setLoginState(key: string, state: LoginState, forgetAfter: Date): Promise<void> {
    if (state.failures.length === 0 && state.lockedUntil === undefined) {
      await this.schema.pool.query(`DELETE FROM ${this.schema.name}.login_states WHERE login_key = $1`, [
        key,
      ]);
      return;
    }
    await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.login_states (login_key, state, forget_after) VALUES ($1, $2, $3)
       ON CONFLICT (login_key) DO UPDATE SET state = EXCLUDED.state, forget_after = EXCLUDED.forget_after`,
      [key, JSON.stringify(state), forgetAfter.toISOString()],
    );
  }

  async forgetLoginStates(now: Date): Promise<number> {
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.login_states WHERE forget_after <= $1`,
      [now.toISOString()],
    );
    return rowCount ?? 0;
  }

  async removeTenant(tenant: string): Promise<string[]> {
    const { rows } = await this.schema.pool.query<{ username: string }>(
      `DELETE FROM ${this.schema.name}.users WHERE tenant = $1 RETURNING username`,
      [tenant],
    );
    await this.schema.pool.query(
      `UPDATE ${this.schema.name}.users SET grants = grants - $1::text WHERE tenant IS NULL AND grants ? $1`,
      [tenant],
    );
    return rows.map((r) => r.username).sort();
  }
}
