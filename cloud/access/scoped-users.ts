import type { LoginState } from './lockout.ts';
import type { Owner } from './owner.ts';
import type { NewUser, UserChange, UserRecord, UserStore } from './users.ts';

/**
 * One tenant's accounts (or, with `tenant` null, the region's) out of the installation's store:
 * what belongs to another answers as if it did not exist, and an account made here belongs here.
 * Usernames stay unique across the installation (a sign-in names no tenant).
 */
export class ScopedUserStore implements UserStore {
  private readonly inner: UserStore;
  private readonly tenant: string | null;

  constructor(inner: UserStore, tenant: string | null) {
    this.inner = inner;
    this.tenant = tenant;
  }

  private mine(user: UserRecord | undefined): UserRecord | undefined {
    return user?.tenant === this.tenant ? user : undefined;
  }

  create(user: NewUser, at: Date): Promise<UserRecord> {
    const grants = this.tenant === null ? (user.owner?.grants ?? []) : [];
    const owner: Owner = { tenant: this.tenant, grants };
    return this.inner.create({ ...user, owner }, at);
  }

  async get(username: string): Promise<UserRecord | undefined> {
    return this.mine(await this.inner.get(username));
  }

  async passwordHash(username: string): Promise<string | undefined> {
    return (await this.get(username)) ? this.inner.passwordHash(username) : undefined;
  }

  async list(): Promise<UserRecord[]> {
    return (await this.inner.list()).filter((user) => user.tenant === this.tenant);
  }

  /** A tenant's accounts hold no grants: those are for region accounts. */
  async update(username: string, change: UserChange): Promise<UserRecord | undefined> {
    if (!(await this.get(username))) return undefined;
    const { grants, ...rest } = change;
    return this.inner.update(username, this.tenant === null ? change : rest);
  }

  loginState(key: string): Promise<LoginState> {
    return this.inner.loginState(key);
  }

  setLoginState(key: string, state: LoginState, forgetAfter: Date): Promise<void> {
    return this.inner.setLoginState(key, state, forgetAfter);
  }

  forgetLoginStates(now: Date): Promise<number> {
    return this.inner.forgetLoginStates(now);
  }

  /** Only this scope's own tenant. */
  removeTenant(tenant: string): Promise<string[]> {
    return tenant === this.tenant ? this.inner.removeTenant(tenant) : Promise.resolve([]);
  }
}
