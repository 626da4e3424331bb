import { randomBytes } from 'node:crypto';
import type { SessionRecord, SessionStore } from './sessions.ts';
import { digest } from './tokens.ts';
import type { UserRecord, UserStore } from './users.ts';

export interface SessionPolicy {
  /** SESSION_IDLE_MINUTES: a session not used for this long has ended. */
  idleMs: number;
  /** SESSION_MAX_HOURS: a session this old has ended, however much it is used. */
  maxMs: number;
}

/** When a session ends if it is not used again: at its idle timeout or its absolute lifetime, whichever is first. */
export function sessionEnd(
  session: Pick<SessionRecord, 'createdAt' | 'lastSeenAt'>,
  policy: SessionPolicy,
): Date {
  return new Date(
    Math.min(Date.parse(session.lastSeenAt) + policy.idleMs, Date.parse(session.createdAt) + policy.maxMs),
  );
}

/** Whether the session has ended at `now` (it has at its end instant). */
export function sessionEnded(
  session: Pick<SessionRecord, 'createdAt' | 'lastSeenAt'>,
  now: Date,
  policy: SessionPolicy,
): boolean {
  return now >= sessionEnd(session, policy);
}

export interface ActiveSession {
  session: SessionRecord;
  user: UserRecord;
}

/**
 * Sessions of signed-in users: a random id for the browser's cookie, its digest in the store, and a
 * CSRF token per session. Expired sessions, and those of users disabled or deleted since, open nothing.
 */
export class BrowserSessions {
  private readonly deps: { store: SessionStore; users: UserStore; policy: SessionPolicy; now: () => Date };

  constructor(deps: BrowserSessions['deps']) {
    this.deps = deps;
  }

  /** Starts a session; the id is returned once, for the cookie, and never stored. */
  async start(username: string): Promise<{ id: string; session: SessionRecord }> {
    const { store, policy } = this.deps;
    const now = this.deps.now();
    // Housekeeping at each sign-in rather than on a timer: ended sessions take no work until then.
    await store.deleteExpired(
      new Date(now.getTime() - policy.idleMs),
      new Date(now.getTime() - policy.maxMs),
    );
    const id = randomBytes(32).toString('base64url');
    const session: SessionRecord = {
      digest: digest(id),
      username,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
    };
    await store.create(session);
    return { id, session };
  }

  /** The session this id opens, and its user, now; marks it used. */
  async resolve(id: string): Promise<ActiveSession | undefined> {
    const { store, users, policy } = this.deps;
    const now = this.deps.now();
    const session = await store.get(digest(id));
    if (!session) return undefined;
    const user = await users.get(session.username);
    if (sessionEnded(session, now, policy) || !user || user.disabled) {
      await store.delete(session.digest);
      return undefined;
    }
    await store.touch(session.digest, now);
    return { session: { ...session, lastSeenAt: now.toISOString() }, user };
  }

  async end(digestOfId: string): Promise<void> {
    await this.deps.store.delete(digestOfId);
  }

  /** Ends the user's sessions, all of them or all but one (by digest). */
  endForUser(username: string, except?: string): Promise<number> {
    return this.deps.store.deleteForUser(username, except);
  }
}
