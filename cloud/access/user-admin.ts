import { z } from 'zod';
import { ConflictError, NotFoundError } from '../errors/domain-error.ts';
import type { BrowserSessions } from './browser-sessions.ts';
import { lockedUntil, loginKey, noFailures } from './lockout.ts';
import { hashPassword } from './passwords.ts';
import type { Role } from './roles.ts';
import { type UserRecord, type UserStore, userRecord } from './users.ts';

/** A user as an admin sees it: the record, and until when sign-ins are locked, if they are. */
export const userView = userRecord
  .extend({ lockedUntil: z.iso.datetime().optional() })
  .meta({ id: 'User', description: 'A user account (never its password or hash)' });
export type UserView = z.infer<typeof userView>;

export interface UserDraft {
  username: string;
  displayName?: string | undefined;
  role: Role;
  password: string;
  /** For a region account: the tenants it may act on. */
  grants?: string[] | undefined;
}

export interface UserPatch {
  displayName?: string | undefined;
  role?: Role | undefined;
  disabled?: boolean | undefined;
  grants?: string[] | undefined;
}

/** What an admin does to accounts: add, change, disable and reset them. */
export class UserAdmin {
  private readonly deps: { users: UserStore; sessions: BrowserSessions; now: () => Date };

  constructor(deps: UserAdmin['deps']) {
    this.deps = deps;
  }

  async list(): Promise<UserView[]> {
    return Promise.all((await this.deps.users.list()).map((user) => this.view(user)));
  }

  async get(username: string): Promise<UserView> {
    const user = await this.deps.users.get(username);
    if (!user) throw new NotFoundError(`user ${username} does not exist`);
    return this.view(user);
  }

  /** A new account; `mustChangePassword` unless its first user chose the password. */
  async create(draft: UserDraft, mustChangePassword = true): Promise<UserView> {
    const user = await this.deps.users.create(
      {
        username: draft.username,
        displayName: draft.displayName ?? draft.username,
        role: draft.role,
        passwordHash: await hashPassword(draft.password),
        mustChangePassword,
        ...(draft.grants && { owner: { tenant: null, grants: draft.grants } }),
      },
      this.deps.now(),
    );
    return this.view(user);
  }

  /** Changes name, role or disabled; disabling ends the user's sessions. The last enabled admin stays one. */
  async update(username: string, patch: UserPatch): Promise<UserView> {
    const before = await this.get(username);
    const losesAdmin = patch.disabled === true || (patch.role !== undefined && patch.role !== 'admin');
    if (before.role === 'admin' && !before.disabled && losesAdmin && (await this.enabledAdmins()) === 1)
      throw new ConflictError(`${username} is the last enabled admin; make another admin first`);
    const after = (await this.deps.users.update(username, patch)) as UserRecord;
    if (after.disabled) await this.deps.sessions.endForUser(username);
    return this.view(after);
  }

  /** Sets a password the user must change at the next sign-in; unlocks sign-ins and ends the user's sessions. */
  async reset(username: string, password: string): Promise<UserView> {
    await this.get(username);
    const after = (await this.deps.users.update(username, {
      passwordHash: await hashPassword(password),
      mustChangePassword: true,
    })) as UserRecord;
    await this.deps.users.setLoginState(loginKey(username), noFailures, this.deps.now());
    await this.deps.sessions.endForUser(username);
    return this.view(after);
  }

  private async enabledAdmins(): Promise<number> {
    return (await this.deps.users.list()).filter((u) => u.role === 'admin' && !u.disabled).length;
  }

  private async view(user: UserRecord): Promise<UserView> {
    const until = lockedUntil(await this.deps.users.loginState(loginKey(user.username)), this.deps.now());
    return { ...user, ...(until && { lockedUntil: until.toISOString() }) };
  }
}
