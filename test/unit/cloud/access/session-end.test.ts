import { describe, expect, it } from 'vitest';
import { type SessionPolicy, sessionEnd, sessionEnded } from '../../../../cloud/access/browser-sessions.ts';

const policy: SessionPolicy = { idleMs: 8 * 3_600_000, maxMs: 24 * 3_600_000 };
const t0 = Date.parse('2026-11-22T06:00:00.000Z');
const iso = (ms: number) => new Date(t0 + ms).toISOString();
const hour = 3_600_000;

describe('when a browser session ends', () => {
  // created, last seen, now (ms after t0), ended?
  it.each([
    ['just signed in', 0, 0, 0, false],
    ['idle 1 ms less than the idle timeout', 0, 0, 8 * hour - 1, false],
    ['idle exactly the idle timeout', 0, 0, 8 * hour, true],
    ['used recently, 1 ms before the absolute lifetime', 0, 20 * hour, 24 * hour - 1, false],
    ['used recently, at the absolute lifetime', 0, 20 * hour, 24 * hour, true],
    ['used recently, past the absolute lifetime', 0, 23 * hour, 25 * hour, true],
  ])('%s', (_name, created: number, seen: number, now: number, ended: boolean) => {
    const session = { createdAt: iso(created), lastSeenAt: iso(seen) };
    expect(sessionEnded(session, new Date(t0 + now), policy)).toBe(ended);
  });

  it('ends at the idle timeout or the absolute lifetime, whichever is first', () => {
    expect(sessionEnd({ createdAt: iso(0), lastSeenAt: iso(hour) }, policy).toISOString()).toBe(
      iso(9 * hour),
    );
    expect(sessionEnd({ createdAt: iso(0), lastSeenAt: iso(20 * hour) }, policy).toISOString()).toBe(
      iso(24 * hour),
    );
  });
});
