import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Lock-out after repeated sign-in failures, per username (known or not, so that locking does not
 * tell which usernames exist): pure functions of the state and the time.
 */
export const loginState = z.object({
  /** Failed sign-ins still inside the window, oldest first (ISO). */
  failures: z.array(z.iso.datetime()),
  /** Sign-ins are refused before this instant (ISO). */
  lockedUntil: z.iso.datetime().optional(),
});
export type LoginState = z.infer<typeof loginState>;

export interface LockoutPolicy {
  /** LOGIN_MAX_FAILURES: this many failures inside the window lock the username. */
  maxFailures: number;
  /** Failures older than this no longer count (15 minutes). */
  windowMs: number;
  /** LOGIN_LOCKOUT_MINUTES, in milliseconds. */
  lockMs: number;
}

export const noFailures: LoginState = { failures: [] };

/**
 * What the lock-out state is kept under: the SHA-256 of the username, so that what strangers type as
 * a username (a guess, or a password typed into the wrong field) is not kept as typed.
 */
export function loginKey(username: string): string {
  return createHash('sha256').update(username).digest('hex');
}

/** Until when sign-ins are refused, if they are at `now` (locked while now < lockedUntil). */
export function lockedUntil(state: LoginState, now: Date): Date | undefined {
  if (state.lockedUntil === undefined) return undefined;
  const until = new Date(state.lockedUntil);
  return now < until ? until : undefined;
}

/** The failures still inside the window at `now` (a failure exactly `windowMs` old has left it). */
export function recentFailures(state: LoginState, now: Date, policy: LockoutPolicy): string[] {
  const windowStart = now.getTime() - policy.windowMs;
  return state.failures.filter((at) => Date.parse(at) > windowStart);
}

/** The state after a failed sign-in at `now` (the caller checked that the username is not locked). */
export function afterFailure(state: LoginState, now: Date, policy: LockoutPolicy): LoginState {
  const failures = [...recentFailures(state, now, policy), now.toISOString()];
  if (failures.length >= policy.maxFailures)
    return { failures: [], lockedUntil: new Date(now.getTime() + policy.lockMs).toISOString() };
  return { failures };
}

/** When the state stops mattering (no failure left in the window, no lock): the store may forget it then. */
export function forgetAfter(state: LoginState, policy: LockoutPolicy): Date {
  const lastFailure = state.failures.at(-1);
  const failuresEnd = lastFailure ? Date.parse(lastFailure) + policy.windowMs : 0;
  const lockEnd = state.lockedUntil ? Date.parse(state.lockedUntil) : 0;
  return new Date(Math.max(failuresEnd, lockEnd));
}
