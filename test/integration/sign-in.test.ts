import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { addUser, BrowserClient, signedInUser } from '../helpers/browser-session.ts';
import { apiFetch, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';

const fleet = generateFleet({ seed: 62, devices: 10, devicesPerGateway: 10 });
const lamp = fleet.devices.find((d) => d.kind === 'streetlight')?.id as string;
const minute = 60_000;
let influxd: LocalInfluxd;
let cloud: TestCloud;
/** The cloud's clock: it stands still but for what the tests add, so that no boundary depends on how fast they run. */
let clock = Date.now();
const now = () => new Date(clock);

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(
    influxd.url,
    fleet,
    {
      TRUST_PROXY: 'loopback',
      LOGIN_MAX_FAILURES: '3',
      LOGIN_LOCKOUT_MINUTES: '15',
      LOGIN_ATTEMPTS_PER_MINUTE: '1000',
      SESSION_IDLE_MINUTES: '60',
      SESSION_MAX_HOURS: '3',
    },
    now,
  );
});

afterAll(async () => {
  await cloud?.stop();
  await influxd?.stop();
});

async function auditEntries(): Promise<{ actor: string; action: string; target: string }[]> {
  const res = await apiFetch(`${cloud.apiUrl}/api/v1/audit?limit=500`);
  return ((await res.json()) as { items: { actor: string; action: string; target: string }[] }).items;
}

describe('signing in to the console', () => {
  it('signs in with username and password: a session cookie, the user and a CSRF token', async () => {
    expect((await addUser(cloud.apiUrl, 'anna', 'viewer', 'anna-password-1')).status).toBe(201);
    const browser = new BrowserClient(cloud.apiUrl);
    const res = await browser.signIn('anna', 'anna-password-1');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: {
        username: 'anna',
        displayName: 'anna',
        role: 'viewer',
        mustChangePassword: true,
        tenant: 'default',
        grants: [],
      },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.cookie).toMatchObject({ name: 'csp_session', httpOnly: true, sameSite: 'strict', path: '/' });
    expect(res.cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Plain HTTP without a proxy saying otherwise: not Secure (the browser would not send it back).
    expect(res.cookie?.secure).toBeUndefined();
    const session = await browser.call('GET', '/api/v1/session');
    expect(session.status).toBe(200);
    expect(session.body).toEqual(res.body);
    // The stored session is a digest: the cookie's value appears nowhere the admin can read.
    const audit = await apiFetch(`${cloud.apiUrl}/api/v1/audit?limit=500`);
    expect(await audit.text()).not.toContain(res.cookie?.value);
  });

  it('makes the cookie Secure when a trusted proxy says the request came over TLS (TRUST_PROXY)', async () => {
    await addUser(cloud.apiUrl, 'bara', 'viewer', 'bara-password-1');
    const browser = new BrowserClient(cloud.apiUrl);
    const res = await browser.signIn('bara', 'bara-password-1', { 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(200);
    expect(res.cookie).toMatchObject({ httpOnly: true, sameSite: 'strict', path: '/', secure: true });
  });

  it('answers a wrong password, an unknown user and a disabled user alike: 401, one message', async () => {
    await addUser(cloud.apiUrl, 'cyril', 'viewer', 'cyril-password-1');
    await addUser(cloud.apiUrl, 'dana', 'viewer', 'dana-password-1');
    const disable = await apiFetch(`${cloud.apiUrl}/api/v1/users/dana`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ disabled: true }),
    });
    expect(disable.status).toBe(200);
    const answers = await Promise.all(
      [
        ['cyril', 'wrong-password'],
        ['nobody', 'cyril-password-1'],
        ['dana', 'dana-password-1'],
        ['CYRIL', 'cyril-password-1'],
      ].map(([u, p]) => new BrowserClient(cloud.apiUrl).signIn(u as string, p as string)),
    );
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.body.detail).toBe('wrong username or password, or the account is disabled');
      expect(res.cookie).toBeUndefined();
    }
    const bad = await new BrowserClient(cloud.apiUrl).call('POST', '/api/v1/session', { username: 'cyril' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'body.password', message: expect.any(String) }]);
    // What a cross-site form can send (not application/json) is no sign-in.
    const form = await fetch(`${cloud.apiUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ username: 'cyril', password: 'cyril-password-1' }),
    });
    expect(form.status).toBe(400);
    expect(form.headers.getSetCookie()).toEqual([]);
  });

  it('locks a username after LOGIN_MAX_FAILURES failures, known or not, until the lock-out ends', async () => {
    await addUser(cloud.apiUrl, 'emil', 'operator', 'emil-password-1');
    const browser = new BrowserClient(cloud.apiUrl);
    for (const username of ['emil', 'no-such-user']) {
      for (let i = 0; i < 3; i++) expect((await browser.signIn(username, `wrong-${i}`)).status).toBe(401);
      // Locked: even the right password is refused, with when to try again.
      const locked = await browser.signIn(username, 'emil-password-1');
      expect(locked.status).toBe(429);
      expect(locked.headers.get('retry-after')).toBe('900');
      expect(locked.body.lockedUntil).toEqual(expect.any(String));
    }
    const listed = await apiFetch(`${cloud.apiUrl}/api/v1/users`);
    const emil = (
      (await listed.json()) as { items: { username: string; lockedUntil?: string }[] }
    ).items.find((u) => u.username === 'emil');
    expect(emil?.lockedUntil).toEqual(expect.any(String));
    // Another username is not affected.
    await addUser(cloud.apiUrl, 'filip', 'viewer', 'filip-password-1');
    expect((await browser.signIn('filip', 'filip-password-1')).status).toBe(200);
    clock += 15 * minute - 1;
    expect((await browser.signIn('emil', 'emil-password-1')).status).toBe(429);
    clock += 1;
    expect((await browser.signIn('emil', 'emil-password-1')).status).toBe(200);
    const entries = await auditEntries();
    expect(entries.filter((e) => e.action === 'user.lockout').map((e) => e.target)).toEqual(['emil']);
  });

  it('counts sign-ins being checked against the failures left: parallel guesses get no more tries', async () => {
    await addUser(cloud.apiUrl, 'lena', 'viewer', 'lena-password-1');
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => new BrowserClient(cloud.apiUrl).signIn('lena', `guess-${i}`)),
    );
    const statuses = guesses.map((g) => g.status);
    // LOGIN_MAX_FAILURES=3: three are checked (and fail), the others are refused unchecked.
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const after = await new BrowserClient(cloud.apiUrl).signIn('lena', 'lena-password-1');
    expect(after.status).toBe(429);
    expect(after.headers.get('retry-after')).toBe('900');
  });

  it('refuses a cookie-authenticated change without the CSRF header, and audits the user by name', async () => {
    const browser = await signedInUser(cloud.apiUrl, 'gustav', 'operator', 'gustav-password-1');
    const command = { command: { action: 'setDimming', level: 40 } };
    const path = `/api/v1/devices/${lamp}/commands`;
    const without = await browser.call('POST', path, command, { csrf: false });
    expect(without.status).toBe(403);
    expect(without.body.detail).toContain('X-CSRF-Token');
    expect((await browser.call('POST', path, command, { csrf: 'not-the-token' })).status).toBe(403);
    expect((await browser.call('POST', path, command)).status).toBe(202);
    // Reading needs no CSRF token.
    expect((await browser.call('GET', '/api/v1/devices', undefined, { csrf: false })).status).toBe(200);
    const entries = await auditEntries();
    expect(entries.filter((e) => e.action === 'command.create').map((e) => e.actor)).toEqual(['gustav']);
    expect(entries.find((e) => e.action === 'session.create' && e.target === 'gustav')?.actor).toBe('gustav');
  });

  it('leaves API tokens as they were: no CSRF header needed, whatever cookie comes along', async () => {
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/devices/${lamp}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'csp_session=whatever' },
      body: JSON.stringify({ command: { action: 'switch', on: true } }),
    });
    expect(res.status).toBe(202);
    const wrong = await fetch(`${cloud.apiUrl}/api/v1/devices`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    // A token has no session to show.
    expect((await apiFetch(`${cloud.apiUrl}/api/v1/session`)).status).toBe(401);
  });

  it('signs out: the session ends and the cookie is cleared', async () => {
    const browser = await signedInUser(cloud.apiUrl, 'hana', 'viewer', 'hana-password-1');
    const held = browser.cookie;
    expect((await browser.call('DELETE', '/api/v1/session', undefined, { csrf: false })).status).toBe(403);
    const out = await browser.call('DELETE', '/api/v1/session');
    expect(out.status).toBe(204);
    expect(out.cookie).toMatchObject({ name: 'csp_session', value: '', path: '/', httpOnly: true });
    expect(out.cookie?.expires?.getTime()).toBe(0);
    browser.cookie = held;
    expect((await browser.call('GET', '/api/v1/session')).status).toBe(401);
    expect((await browser.call('GET', '/api/v1/devices')).status).toBe(401);
  });

  it('changes the password: the old one stops working and other sessions end', async () => {
    const browser = await signedInUser(cloud.apiUrl, 'ivan', 'viewer', 'ivan-password-1');
    const other = new BrowserClient(cloud.apiUrl);
    expect((await other.signIn('ivan', 'ivan-password-1')).status).toBe(200);
    const change = (currentPassword: string, newPassword: string) =>
      browser.call('POST', '/api/v1/session/password', { currentPassword, newPassword });
    const wrong = await change('not-it-at-all', 'ivan-password-2');
    expect(wrong.status).toBe(403);
    const short = await change('ivan-password-1', 'short');
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([{ path: 'body.newPassword', message: 'at least 10 characters' }]);
    expect((await change('ivan-password-1', 'ivan-password-2')).status).toBe(204);
    expect((await browser.call('GET', '/api/v1/session')).status).toBe(200);
    expect((await other.call('GET', '/api/v1/session')).status).toBe(401);
    expect((await new BrowserClient(cloud.apiUrl).signIn('ivan', 'ivan-password-1')).status).toBe(401);
    expect((await new BrowserClient(cloud.apiUrl).signIn('ivan', 'ivan-password-2')).status).toBe(200);
    expect(
      (await auditEntries()).filter((e) => e.action === 'user.password' && e.target === 'ivan'),
    ).toHaveLength(2);
  });

  it('lets a user who must change the password do only that', async () => {
    await addUser(cloud.apiUrl, 'jiri', 'operator', 'jiri-password-1');
    const browser = new BrowserClient(cloud.apiUrl);
    expect((await browser.signIn('jiri', 'jiri-password-1')).body.user.mustChangePassword).toBe(true);
    const refused = await browser.call('GET', '/api/v1/devices');
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('change your password first');
    const change = await browser.call('POST', '/api/v1/session/password', {
      currentPassword: 'jiri-password-1',
      newPassword: 'jiri-password-2',
    });
    expect(change.status).toBe(204);
    expect((await browser.call('GET', '/api/v1/devices')).status).toBe(200);
    expect((await browser.call('GET', '/api/v1/session')).body.user.mustChangePassword).toBe(false);
  });

  it('ends a session idle for SESSION_IDLE_MINUTES, and any session SESSION_MAX_HOURS after sign-in', async () => {
    const used = await signedInUser(cloud.apiUrl, 'karel', 'viewer', 'karel-password-1');
    const idle = new BrowserClient(cloud.apiUrl);
    expect((await idle.signIn('karel', 'karel-password-1')).status).toBe(200);
    clock += 60 * minute - 1;
    expect((await used.call('GET', '/api/v1/session')).status).toBe(200);
    clock += 1;
    // Idle exactly 60 minutes: ended. Used 1 ms ago: open.
    expect((await idle.call('GET', '/api/v1/session')).status).toBe(401);
    expect((await used.call('GET', '/api/v1/devices')).status).toBe(200);
    // Used every 50 minutes, a session still ends 3 hours after sign-in.
    const busy = new BrowserClient(cloud.apiUrl);
    expect((await busy.signIn('karel', 'karel-password-1')).status).toBe(200);
    const signedInAt = clock;
    for (let at = 50 * minute; at < 3 * 60 * minute; at += 50 * minute) {
      clock = signedInAt + at;
      expect((await busy.call('GET', '/api/v1/session')).status).toBe(200);
    }
    clock = signedInAt + 3 * 60 * minute - 1;
    expect((await busy.call('GET', '/api/v1/session')).status).toBe(200);
    clock = signedInAt + 3 * 60 * minute;
    expect((await busy.call('GET', '/api/v1/session')).status).toBe(401);
  });
});
