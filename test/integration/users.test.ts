import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { addUser, BrowserClient, signedInUser } from '../helpers/browser-session.ts';
import { apiFetch, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';

let influxd: LocalInfluxd;
let cloud: TestCloud;
let admin: BrowserClient;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, undefined, { LOGIN_ATTEMPTS_PER_MINUTE: '1000' });
  admin = await signedInUser(cloud.apiUrl, 'admin.jana', 'admin', 'jana-admin-password');
});

afterAll(async () => {
  await cloud?.stop();
  await influxd?.stop();
});

describe('user administration', () => {
  it('lets an admin add, list, change, disable and reset users, each change audited by username', async () => {
    const added = await admin.call('POST', '/api/v1/users', {
      username: 'tech-1',
      displayName: 'Tomáš Technik',
      role: 'viewer',
      password: 'tech-first-password',
    });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      username: 'tech-1',
      displayName: 'Tomáš Technik',
      role: 'viewer',
      disabled: false,
      createdAt: expect.any(String),
      mustChangePassword: true,
      tenant: 'default',
      grants: [],
    });
    const tech = new BrowserClient(cloud.apiUrl);
    expect((await tech.signIn('tech-1', 'tech-first-password')).status).toBe(200);

    const changed = await admin.call('PATCH', '/api/v1/users/tech-1', {
      role: 'operator',
      displayName: 'T. T.',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ role: 'operator', displayName: 'T. T.', disabled: false });
    // A role change applies to the open session at once.
    expect((await tech.call('GET', '/api/v1/session')).body.user.role).toBe('operator');

    const list = await admin.call('GET', '/api/v1/users');
    expect(list.status).toBe(200);
    expect(list.body.items.map((u: { username: string }) => u.username)).toEqual(['admin.jana', 'tech-1']);
    expect(list.body.items[0]).toMatchObject({ role: 'admin', lastSignInAt: expect.any(String) });

    const disabled = await admin.call('PATCH', '/api/v1/users/tech-1', { disabled: true });
    expect(disabled.body.disabled).toBe(true);
    // Disabling ends the user's sessions and refuses sign-ins.
    expect((await tech.call('GET', '/api/v1/session')).status).toBe(401);
    expect((await tech.signIn('tech-1', 'tech-first-password')).status).toBe(401);
    await admin.call('PATCH', '/api/v1/users/tech-1', { disabled: false });

    // Lock tech-1 out, then reset: unlocked, a new password to change, sessions ended.
    const session = new BrowserClient(cloud.apiUrl);
    expect((await session.signIn('tech-1', 'tech-first-password')).status).toBe(200);
    for (let i = 0; i < 5; i++) await new BrowserClient(cloud.apiUrl).signIn('tech-1', `wrong-${i}`);
    expect((await new BrowserClient(cloud.apiUrl).signIn('tech-1', 'tech-first-password')).status).toBe(429);
    const locked = (await admin.call('GET', '/api/v1/users')).body.items[1];
    expect(locked.lockedUntil).toEqual(expect.any(String));
    const reset = await admin.call('POST', '/api/v1/users/tech-1/reset', {
      password: 'tech-second-password',
    });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ username: 'tech-1', mustChangePassword: true });
    expect(reset.body.lockedUntil).toBeUndefined();
    expect((await session.call('GET', '/api/v1/session')).status).toBe(401);
    expect((await new BrowserClient(cloud.apiUrl).signIn('tech-1', 'tech-first-password')).status).toBe(401);
    const again = await new BrowserClient(cloud.apiUrl).signIn('tech-1', 'tech-second-password');
    expect(again.body.user).toMatchObject({ mustChangePassword: true });

    const audit = await apiFetch(`${cloud.apiUrl}/api/v1/audit?limit=500`);
    const text = await audit.text();
    const entries = (JSON.parse(text) as { items: { actor: string; action: string; target: string }[] })
      .items;
    expect(
      entries
        .filter((e) => e.action.startsWith('user.') && e.action !== 'user.password')
        .map((e) => [e.actor, e.action]),
    ).toEqual([
      ['admin.jana', 'user.reset'],
      ['sign-in', 'user.lockout'],
      ['admin.jana', 'user.update'],
      ['admin.jana', 'user.update'],
      ['admin.jana', 'user.update'],
      ['admin.jana', 'user.create'],
      // admin.jana herself, added with the bootstrap token.
      ['bootstrap-admin', 'user.create'],
    ]);
    // Never a password or a hash in the audit log.
    for (const secret of ['tech-first-password', 'tech-second-password', 'scrypt$', 'wrong-0'])
      expect(text).not.toContain(secret);
  });

  it('refuses non-admins, bad input, taken names and unknown users', async () => {
    const operator = await signedInUser(cloud.apiUrl, 'op-1', 'operator', 'operator-password');
    for (const [method, path, body] of [
      ['GET', '/api/v1/users', undefined],
      ['POST', '/api/v1/users', { username: 'x', role: 'admin', password: 'long-enough-pw' }],
      ['PATCH', '/api/v1/users/op-1', { role: 'admin' }],
      ['POST', '/api/v1/users/op-1/reset', { password: 'long-enough-pw' }],
    ] as const) {
      const res = await operator.call(method, path, body);
      expect(res.status).toBe(403);
      expect(res.body.detail).toBe('this needs the admin role; user op-1 has operator');
    }
    const bad = await admin.call('POST', '/api/v1/users', {
      username: 'Bad Name',
      role: 'chief',
      password: 'short',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'body.username',
      'body.role',
      'body.password',
    ]);
    const taken = await admin.call('POST', '/api/v1/users', {
      username: 'op-1',
      role: 'viewer',
      password: 'long-enough-pw',
    });
    expect(taken.status).toBe(409);
    expect((await admin.call('PATCH', '/api/v1/users/nobody', { disabled: true })).status).toBe(404);
    expect(
      (await admin.call('POST', '/api/v1/users/nobody/reset', { password: 'long-enough-pw' })).status,
    ).toBe(404);
    expect((await admin.call('PATCH', '/api/v1/users/NOPE', { disabled: true })).body.errors[0].path).toBe(
      'path.username',
    );
    expect((await admin.call('PATCH', '/api/v1/users/op-1', { password: 'x' })).status).toBe(400);
  });

  it('keeps the last enabled admin an admin', async () => {
    expect((await admin.call('PATCH', '/api/v1/users/admin.jana', { disabled: true })).status).toBe(409);
    expect((await admin.call('PATCH', '/api/v1/users/admin.jana', { role: 'operator' })).status).toBe(409);
    await addUser(cloud.apiUrl, 'admin.petr', 'admin', 'petr-admin-password');
    const demoted = await admin.call('PATCH', '/api/v1/users/admin.jana', { role: 'operator' });
    expect(demoted.status).toBe(200);
    expect((await admin.call('GET', '/api/v1/users')).status).toBe(403);
  });
});

describe('OpenAPI', () => {
  it('documents the session and user routes', async () => {
    const doc = (await (await fetch(`${cloud.apiUrl}/api/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/session',
        '/api/v1/session/password',
        '/api/v1/users',
        '/api/v1/users/{username}',
        '/api/v1/users/{username}/reset',
      ]),
    );
  });
});

describe('session cookie settings', () => {
  it('believes no X-Forwarded-Proto without TRUST_PROXY; COOKIE_SECURE makes it Secure; sign-ins limited per address', async () => {
    const plain = await startTestCloud(influxd.url, undefined, { LOGIN_ATTEMPTS_PER_MINUTE: '2' });
    const secure = await startTestCloud(influxd.url, undefined, { COOKIE_SECURE: 'true' });
    try {
      for (const c of [plain, secure]) await addUser(c.apiUrl, 'mia', 'viewer', 'mia-password-1');
      const https = { 'x-forwarded-proto': 'https' };
      const spoofed = await new BrowserClient(plain.apiUrl).signIn('mia', 'mia-password-1', https);
      expect(spoofed.status).toBe(200);
      expect(spoofed.cookie?.secure).toBeUndefined();
      const forced = await new BrowserClient(secure.apiUrl).signIn('mia', 'mia-password-1');
      expect(forced.cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'strict', path: '/' });
      // LOGIN_ATTEMPTS_PER_MINUTE=2 failures from one address, whatever the usernames; successes do not count.
      const browser = new BrowserClient(plain.apiUrl);
      expect((await browser.signIn('a', 'wrong-password')).status).toBe(401);
      expect((await browser.signIn('b', 'wrong-password')).status).toBe(401);
      const limited = await browser.signIn('mia', 'mia-password-1');
      expect(limited.status).toBe(429);
      expect(limited.body.detail).toContain('failed sign-ins a minute');
    } finally {
      await plain.stop();
      await secure.stop();
    }
  });
});
