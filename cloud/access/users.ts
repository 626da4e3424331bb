import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { z } from 'zod';
import { ConflictError } from '../errors/domain-error.ts';
import { type LoginState, loginState, noFailures } from './lockout.ts';
import { defaultOwner, type Owner, owner } from './owner.ts';
import { role } from './roles.ts';

export const username = z
  .string()
  .regex(/^[a-z0-9._-]{1,64}$/, '1 to 64 characters of a-z, 0-9, ".", "_" and "-"');
/** A new password; a sign-in accepts whatever was set before (see the sign-in body). */
export const newPassword = z.string().min(10, 'at least 10 characters').max(200, 'at most 200 characters');
export const displayName = z.string().trim().min(1).max(100);

/** A user account as stored and shown; the password hash is kept apart and never leaves the store. */
export const userRecord = z.object({
  username,
  displayName,
  role,
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
  lastSignInAt: z.iso.datetime().optional(),
  /** Set by an admin's reset (or creation): the user must choose a password before anything else. */
  mustChangePassword: z.boolean(),
  ...owner.shape,
});
export type UserRecord = z.infer<typeof userRecord>;

export interface NewUser {
  username: string;
  displayName: string;
  role: UserRecord['role'];
  passwordHash: string;
  mustChangePassword: boolean;
  /** Whose account it is; by default the default tenant's. */
  owner?: Owner;
}

export type UserChange = Partial<
  Pick<UserRecord, 'displayName' | 'role' | 'disabled' | 'mustChangePassword' | 'lastSignInAt' | 'grants'> & {
    passwordHash: string;
  }
>;

/**
 * User accounts and the lock-out state of sign-ins (per username, also for names no account has,
 * kept under a digest of the name).
 * test/conformance/user-store.ts is the suite every store must pass.
 */
export interface UserStore {
  /** Throws ConflictError when the username is taken. */
  create(user: NewUser, at: Date): Promise<UserRecord>;
  get(username: string): Promise<UserRecord | undefined>;
  passwordHash(username: string): Promise<string | undefined>;
  /** By username. */
  list(): Promise<UserRecord[]>;
  /** The changed user, or undefined when there is none by this name. */
  update(username: string, change: UserChange): Promise<UserRecord | undefined>;
  /** No failures when nothing is kept under this key (`loginKey(username)`). */
  loginState(key: string): Promise<LoginState>;
  /** Keeps the state until `forgetAfter`; a state without failures or lock is deleted at once. */
  setLoginState(key: string, state: LoginState, forgetAfter: Date): Promise<void>;
  /** Deletes the states whose `forgetAfter` is at or before `now`; returns how many. */
  forgetLoginStates(now: Date): Promise<number>;
  /** A tenant is deleted: its accounts go, and region accounts lose their grant of it. Returns the usernames deleted. */
  removeTenant(tenant: string): Promise<string[]>;
}

const columns: Record<keyof UserChange, string> = {
  displayName: 'display_name',
  role: 'role',
  disabled: 'disabled',
  mustChangePassword: 'must_change_password',
  lastSignInAt: 'last_sign_in_at',
  passwordHash: 'password_hash',
  grants: 'grants',
};

/** User accounts in the embedded database. */
export class SqliteUserStore implements UserStore {
  private readonly db: DatabaseSync;
  /** Asked on every request with the session cookie: prepared once. */
  private readonly byName: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS users (
      username TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL,
      password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
      must_change_password INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, last_sign_in_at TEXT,
      tenant TEXT, grants TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE IF NOT EXISTS login_states (
      login_key TEXT PRIMARY KEY, state TEXT NOT NULL, forget_after TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS login_states_forget_after ON login_states (forget_after);`);
    this.byName = db.prepare('SELECT * FROM users WHERE username = ?');
  }

  async create(user: NewUser, at: Date): Promise<UserRecord> {
    const result = this.db
      .prepare(
        `INSERT INTO users (username, display_name, role, password_hash, must_change_password, created_at, tenant, grants)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING`,
      )
      .run(
        user.username,
        user.displayName,
        user.role,
        user.passwordHash,
        user.mustChangePassword ? 1 : 0,
        at.toISOString(),
        (user.owner ?? defaultOwner).tenant,
        JSON.stringify((user.owner ?? defaultOwner).grants),
      );
    if (Number(result.changes) === 0) throw new ConflictError(`user ${user.username} exists`);
    return (await this.get(user.username)) as UserRecord;
  }

  async get(name: string): Promise<UserRecord | undefined> {
    const row = this.byName.get(name);
    return row && toRecord(row);
  }

  async passwordHash(name: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT password_hash FROM users WHERE username = ?').get(name);
    return row && String(row.password_hash);
  }

  async list(): Promise<UserRecord[]> {
    return this.db.prepare('SELECT * FROM users ORDER BY username').all().map(toRecord);
  }

  async update(name: string, change: UserChange): Promise<UserRecord | undefined> {
    const entries = Object.entries(change)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, Array.isArray(value) ? JSON.stringify(value) : value]) as [
      keyof UserChange,
      string | boolean,
    ][];
    if (entries.length > 0) {
      const set = entries.map(([key]) => `${columns[key]} = ?`).join(', ');
      const values = entries.map(([, value]) => (typeof value === 'boolean' ? (value ? 1 : 0) : value));
      this.db.prepare(`UPDATE users SET ${set} WHERE username = ?`).run(...values, name);
    }
    return this.get(name);
  }

  async loginState(key: string): Promise<LoginState> {
    const row = this.db.prepare('SELECT state FROM login_states WHERE login_key = ?').get(key);
    return row ? loginState.parse(JSON.parse(String(row.state))) : noFailures;
  }

  async setLoginState(key: string, state: LoginState, forgetAfter: Date): Promise<void> {
    if (state.failures.length === 0 && state.lockedUntil === undefined) {
      this.db.prepare('DELETE FROM login_states WHERE login_key = ?').run(key);
      return;
    }
    this.db
      .prepare(
        `INSERT INTO login_states (login_key, state, forget_after) VALUES (?, ?, ?)
         ON CONFLICT (login_key) DO UPDATE SET state = excluded.state, forget_after = excluded.forget_after`,
      )
      .run(key, JSON.stringify(state), forgetAfter.toISOString());
  }

  async forgetLoginStates(now: Date): Promise<number> {
    const { changes } = this.db
      .prepare('DELETE FROM login_states WHERE forget_after <= ?')
      .run(now.toISOString());
    return Number(changes);
  }

  async removeTenant(tenant: string): Promise<string[]> {
    const gone = this.db
      .prepare('DELETE FROM users WHERE tenant = ? RETURNING username')
      .all(tenant)
      .map((row) => String(row.username));
    for (const row of this.db.prepare('SELECT username, grants FROM users WHERE tenant IS NULL').all()) {
      const grants = JSON.parse(String(row.grants)) as string[];
      if (grants.includes(tenant))
        this.db
          .prepare('UPDATE users SET grants = ? WHERE username = ?')
          .run(JSON.stringify(grants.filter((g) => g !== tenant)), String(row.username));
    }
    return gone.sort();
  }
}

function toRecord(row: Record<string, unknown>): UserRecord {
  return {
    username: String(row.username),
    displayName: String(row.display_name),
    role: row.role as UserRecord['role'],
    disabled: row.disabled === 1,
    createdAt: String(row.created_at),
    ...(row.last_sign_in_at !== null && { lastSignInAt: String(row.last_sign_in_at) }),
    mustChangePassword: row.must_change_password === 1,
    tenant: row.tenant === null ? null : String(row.tenant),
    grants: JSON.parse(String(row.grants)) as string[],
  };
}
