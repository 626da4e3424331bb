import {
  DomainError,
  ForbiddenError,
  InvalidRequestError,
  UnauthorizedError,
} from '../errors/domain-error.ts';
import type { AuditOf } from './audit.ts';
import {
  afterFailure,
  forgetAfter,
  type LockoutPolicy,
  lockedUntil,
  loginKey,
  noFailures,
  recentFailures,
} from './lockout.ts';
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

/** 429: as many checks of this username's password are running as failures are left before the lock. */
export class SignInBusyError extends DomainError {
  constructor() {
    super(
      429,
      'Too Many Requests',
      'other sign-ins for this username are being checked; try again in a moment',
    );
  }
}

/** The one answer to a wrong username, a wrong password and a disabled account alike. */
const refused = 'wrong username or password, or the account is disabled';

/**
 * Checks passwords: sign-in and change of one's own password, with lock-out per username after
 * repeated failures (LOGIN_MAX_FAILURES within 15 minutes lock it for LOGIN_LOCKOUT_MINUTES).
 */
export class SignIn {
  private readonly deps: { users: UserStore; auditOf: AuditOf; policy: LockoutPolicy; now: () => Date };
  /**
   * Password checks running per username. Each may become a failure, so they count against the
   * failures left before the lock: parallel guesses cannot all pass the lock check before the first
   * failure is recorded.
   */
  private readonly checking = new Map<string, number>();

  constructor(deps: SignIn['deps']) {
    this.deps = deps;
  }

  /** The user, if the password opens an enabled account; else UnauthorizedError, LockedOutError or SignInBusyError. */
  async signIn(username: string, password: string): Promise<UserRecord> {
    return this.oneCheckMore(username, () => this.check(username, password));
  }

  private async check(username: string, password: string): Promise<UserRecord> {
    const { users } = this.deps;
    const user = await users.get(username);
    const hash = user && (await users.passwordHash(username));
    const opens = hash ? await verifyPassword(password, hash) : await verifyDummy(password);
    if (!opens) {
      await this.recordFailure(username, user);
      throw new UnauthorizedError(refused);
    }
    if (!user || user.disabled) throw new UnauthorizedError(refused);
    await users.setLoginState(loginKey(username), noFailures, this.deps.now());
    const change = { lastSignInAt: this.deps.now().toISOString() };
    // A hash made with older scrypt parameters is replaced while the password is at hand.
    const rehashed = hash && needsRehash(hash) ? { passwordHash: await hashPassword(password) } : {};
    return (await users.update(username, { ...change, ...rehashed })) as UserRecord;
  }

  /** Changes a signed-in user's own password; a wrong current password counts as a failed sign-in. */
  async changePassword(username: string, current: string, next: string): Promise<UserRecord> {
    return this.oneCheckMore(username, () => this.change(username, current, next));
  }

  private async change(username: string, current: string, next: string): Promise<UserRecord> {
    const { users } = this.deps;
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

  /** Refuses a locked username, or one with as many checks running as failures left; else runs `check`. */
  private async oneCheckMore<T>(username: string, check: () => Promise<T>): Promise<T> {
    const { users, policy } = this.deps;
    const now = this.deps.now();
    const state = await users.loginState(loginKey(username));
    const until = lockedUntil(state, now);
    if (until) throw new LockedOutError(until);
    const running = this.checking.get(username) ?? 0;
    if (recentFailures(state, now, policy).length + running >= policy.maxFailures)
      throw new SignInBusyError();
    this.checking.set(username, running + 1);
    try {
      return await check();
    } finally {
      const left = (this.checking.get(username) ?? 1) - 1;
      if (left === 0) this.checking.delete(username);
      else this.checking.set(username, left);
    }
  }

  private async recordFailure(username: string, user: UserRecord | undefined): Promise<void> {
    const { users, policy, auditOf } = this.deps;
    const now = this.deps.now();
    const key = loginKey(username);
    const state = afterFailure(await users.loginState(key), now, policy);
    await users.setLoginState(key, state, forgetAfter(state, policy));
    // Names no account has are kept only until their window ends (an attacker's guesses, or a password
    // typed into the username field): never audited, never logged.
    await users.forgetLoginStates(now);
    if (state.lockedUntil && user)
      await auditOf(user.tenant).record({
        at: now.toISOString(),
        actor: 'sign-in',
        action: 'user.lockout',
        target: username,
        before: null,
        after: { lockedUntil: state.lockedUntil },
      });
  }
}
