import { ConflictError } from '../errors/domain-error.ts';
import { type LoginState, noFailures } from './lockout.ts';
import { defaultOwner } from './owner.ts';
import type { NewUser, UserChange, UserRecord, UserStore } from './users.ts';

interface Held {
  record: UserRecord;
  passwordHash: string;
}

/** User accounts in memory, for tests. */
export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, Held>();
  private readonly states = new Map<string, { state: LoginState; forgetAfter: Date }>();

  async create(user: NewUser, at: Date): Promise<UserRecord> {
    if (this.users.has(user.username)) throw new ConflictError(`user ${user.username} exists`);
    const record: UserRecord = {
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      disabled: false,
      createdAt: at.toISOString(),
      mustChangePassword: user.mustChangePassword,
      tenant: (user.owner ?? defaultOwner).tenant,
      grants: [...(user.owner ?? defaultOwner).grants],
    };
    this.users.set(user.username, { record, passwordHash: user.passwordHash });
    return { ...record };
  }

  async get(username: string): Promise<UserRecord | undefined> {
    const held = this.users.get(username);
    return held && { ...held.record, grants: [...held.record.grants] };
  }

  async passwordHash(username: string): Promise<string | undefined> {
    return this.users.get(username)?.passwordHash;
  }

  async list(): Promise<UserRecord[]> {
    return [...this.users.values()]
      .map((held) => ({ ...held.record, grants: [...held.record.grants] }))
      .toSorted((a, b) => (a.username < b.username ? -1 : 1));
  }

  async update(username: string, change: UserChange): Promise<UserRecord | undefined> {
    const held = this.users.get(username);
    if (!held) return undefined;
    const { passwordHash, ...fields } = change;
    if (passwordHash !== undefined) held.passwordHash = passwordHash;
    for (const [key, value] of Object.entries(fields))
      if (value !== undefined)
        Object.assign(held.record, { [key]: Array.isArray(value) ? [...value] : value });
    return { ...held.record, grants: [...held.record.grants] };
  }

  async loginState(key: string): Promise<LoginState> {
    return structuredClone(this.states.get(key)?.state ?? noFailures);
  }

  async setLoginState(key: string, state: LoginState, forgetAfter: Date): Promise<void> {
    if (state.failures.length === 0 && state.lockedUntil === undefined) this.states.delete(key);
    else this.states.set(key, { state: structuredClone(state), forgetAfter });
  }

  async forgetLoginStates(now: Date): Promise<number> {
    let forgotten = 0;
    for (const [key, { forgetAfter }] of this.states)
      if (forgetAfter <= now) {
        this.states.delete(key);
        forgotten++;
      }
    return forgotten;
  }

  async removeTenant(tenant: string): Promise<string[]> {
    const gone: string[] = [];
    for (const [username, held] of this.users) {
      if (held.record.tenant === tenant) {
        this.users.delete(username);
        gone.push(username);
      } else if (held.record.tenant === null)
        held.record.grants = held.record.grants.filter((g) => g !== tenant);
    }
    return gone.sort();
  }
}
