import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  forgetAfter,
  type LockoutPolicy,
  type LoginState,
  lockedUntil,
  loginKey,
} from '../../../../cloud/access/lockout.ts';

const policy: LockoutPolicy = { maxFailures: 3, windowMs: 15 * 60_000, lockMs: 10 * 60_000 };
const t0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms);
const iso = (ms: number) => at(ms).toISOString();
const minute = 60_000;

describe('lock-out after repeated sign-in failures', () => {
  // The failures before, the instant of the next one, and whether that one locks.
  it.each([
    ['first failure', [], 0, false],
    ['one below the limit', [0], 1, false],
    ['the limit, all inside the window', [0, 1], 2 * minute, true],
    ['the oldest 1 ms inside the window', [0, 5 * minute], 15 * minute - 1, true],
    ['the oldest exactly a window old has left it', [0, 5 * minute], 15 * minute, false],
    ['the oldest 1 ms outside the window', [0, 5 * minute], 15 * minute + 1, false],
    ['both old failures outside the window', [0, 1], 30 * minute, false],
  ])('%s', (_name, before: number[], now: number, locks: boolean) => {
    const state = afterFailure({ failures: before.map(iso) }, at(now), policy);
    if (locks) expect(state).toEqual({ failures: [], lockedUntil: iso(now + policy.lockMs) });
    else {
      expect(state.lockedUntil).toBeUndefined();
      expect(state.failures.at(-1)).toBe(iso(now));
      expect(state.failures.every((f) => Date.parse(f) > t0 + now - policy.windowMs)).toBe(true);
    }
  });

  it('drops failures that left the window and keeps those inside, oldest first', () => {
    const state = afterFailure({ failures: [iso(0), iso(10 * minute)] }, at(15 * minute), policy);
    expect(state).toEqual({ failures: [iso(10 * minute), iso(15 * minute)] });
  });

  it('locks at exactly LOGIN_MAX_FAILURES with the policy of 1', () => {
    expect(afterFailure({ failures: [] }, at(0), { ...policy, maxFailures: 1 })).toEqual({
      failures: [],
      lockedUntil: iso(policy.lockMs),
    });
  });

  // Locked while now < lockedUntil.
  it.each([
    ['no lock', { failures: [] }, 0, undefined],
    [
      '1 ms before the end',
      { failures: [], lockedUntil: iso(10 * minute) },
      10 * minute - 1,
      iso(10 * minute),
    ],
    ['at the end', { failures: [], lockedUntil: iso(10 * minute) }, 10 * minute, undefined],
    ['after the end', { failures: [], lockedUntil: iso(10 * minute) }, 11 * minute, undefined],
  ])('locked: %s', (_name, state: LoginState, now: number, until: string | undefined) => {
    expect(lockedUntil(state, at(now))?.toISOString()).toBe(until);
  });

  it('a failure after a lock ended starts a new count', () => {
    const ended: LoginState = { failures: [], lockedUntil: iso(0) };
    expect(afterFailure(ended, at(minute), policy)).toEqual({ failures: [iso(minute)] });
  });

  it.each([
    ['nothing', { failures: [] }, 0],
    ['the last failure plus the window', { failures: [iso(0), iso(minute)] }, minute + 15 * minute],
    ['the end of the lock', { failures: [], lockedUntil: iso(10 * minute) }, 10 * minute],
    ['whichever is later', { failures: [iso(0)], lockedUntil: iso(20 * minute) }, 20 * minute],
  ])('is forgotten after %s', (_name, state: LoginState, expected: number) => {
    expect(forgetAfter(state, policy).getTime()).toBe(
      state.failures.length || state.lockedUntil ? t0 + expected : 0,
    );
  });

  it('keeps states under a digest of the username, one per name, case and all', () => {
    expect(loginKey('jana')).toMatch(/^[0-9a-f]{64}$/);
    expect(loginKey('jana')).toBe(loginKey('jana'));
    expect(new Set(['jana', 'Jana', 'jana ', 'my secret pw'].map(loginKey)).size).toBe(4);
    expect(loginKey('my secret pw')).not.toContain('secret');
  });
});
