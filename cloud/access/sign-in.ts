import {
  DomainError,
  ForbiddenError,
  InvalidRequestError,
  UnauthorizedError,
} from '../errors/domain-error.ts';
import type { AuditLog } from './audit.ts';
import { afterFailure, forgetAfter, type LockoutPolicy, lockedUntil, noFailures } from './lockout.ts';
import { hashPassword, needsRehash, verifyDummy, verifyPassword } from './passwords.ts';
import type { UserRecord, UserStore } from './users.ts';

/** 429: the username is locked after repeated failures; `until` is when sign-ins are accepted again. */
export class LockedOutError extends DomainError {
  readonly until: Date;

  constructor(until: Date) {
    super(429, 'Too Many Requests', 'too many failed sign-ins for this username; try again later', {
      lockedUntil: until.toISOString(),
    });
    this.until = until;
  }
}

/** The one answer to a wrong username, a wrong password and a disabled account alike. */
const refused = 'wrong username or password, or the account is disabled';

/**
 * Checks passwords: sign-in and change of one's own password, with lock-out per username after
 * repeated failures (LOGIN_MAX_FAILURES within 15 minutes lock it for LOGIN_LOCKOUT_MINUTES).
 */
export class SignIn {
  private readonly deps: { users: UserStore; audit: AuditLog; policy: LockoutPolicy; now: () => Date };

  constructor(deps: SignIn['deps']) {
    this.deps = deps;
  }

  /** The user, if the password opens an enabled account; else UnauthorizedError, or LockedOutError. */
  async signIn(username: string, password: string): Promise<UserRecord> {
    const { users } = this.deps;
    await this.refuseLocked(username);
    const user = await users.get(username);
    const hash = user && (await users.passwordHash(username));
    const opens = hash ? await verifyPassword(password, hash) : await verifyDummy(password);
    if (!opens) {
      await this.recordFailure(username, user);
      throw new UnauthorizedError(refused);
    }
    if (!user || user.disabled) throw new UnauthorizedError(refused);
    await users.setLoginState(username, noFailures, this.deps.now());
    const change = { lastSignInAt: this.deps.now().toISOString() };
    // A hash made with older scrypt parameters is replaced while the password is at hand.
    const rehashed = hash && needsRehash(hash) ? { passwordHash: await hashPassword(password) } : {};
    return (await users.update(username, { ...change, ...rehashed })) as UserRecord;
  }

  /** Changes a signed-in user's own password; a wrong current password counts as a failed sign-in. */
  async changePassword(username: string, current: string, next: string): Promise<UserRecord> {
    const { users } = this.deps;
    await this.refuseLocked(username);
    const user = await users.get(username);
    const hash = await users.passwordHash(username);
    if (!user || !hash) throw new UnauthorizedError(`user ${username} does not exist`);
    if (!(await verifyPassword(current, hash))) {
      await this.recordFailure(username, user);
      throw new ForbiddenError('the current password is wrong');
    }
    if (next === current) throw new InvalidRequestError('the new password must differ from the current one');
    return (await users.update(username, {
      passwordHash: await hashPassword(next),
      mustChangePassword: false,
    })) as UserRecord;
  }

  private async refuseLocked(username: string): Promise<void> {
    const until = lockedUntil(await this.deps.users.loginState(username), this.deps.now());
    if (until) throw new LockedOutError(until);
  }

  private async recordFailure(username: string, user: UserRecord | undefined): Promise<void> {
    const { users, policy, audit } = this.deps;
    const now = this.deps.now();
    const state = afterFailure(await users.loginState(username), now, policy);
    await users.setLoginState(username, state, forgetAfter(state, policy));
    // Names no account has are kept only until their window ends (an attacker's guesses, or a password
    // typed into the username field): never audited, never logged.
    await users.forgetLoginStates(now);
    if (state.lockedUntil && user)
      await audit.record({
        at: now.toISOString(),
        actor: 'sign-in',
        action: 'user.lockout',
        target: username,
        before: null,
        after: { lockedUntil: state.lockedUntil },
      });
  }
}
