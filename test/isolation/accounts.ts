import { BrowserClient } from '../helpers/browser-session.ts';
import { apiFetch } from '../helpers/cloud.ts';
import { asRegion } from '../helpers/tenants.ts';

/** A signed-in account: its browser (cookie and CSRF token) and what signs it in again. */
export interface SignedIn {
  username: string;
  password: string;
  browser: BrowserClient;
  /** Signs in again (after a probe ended the session). */
  renew(): Promise<void>;
}

/** A town's admin: an API token and a user signed in in a browser, both made by region staff. */
export interface TownAdmin {
  tenant: string;
  token: { id: string; name: string; secret: string };
  user: SignedIn;
}

async function created(res: Response, what: string) {
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 201) throw new Error(`creating ${what}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Signs a new account in with its first password and sets `password` (the first sign-in's change). */
export async function firstSignIn(apiUrl: string, username: string, first: string, password: string) {
  const browser = new BrowserClient(apiUrl);
  const signIn = await browser.signIn(username, first);
  if (signIn.status !== 200) throw new Error(`signing ${username} in: ${signIn.status}`);
  const change = await browser.call('POST', '/api/v1/session/password', {
    currentPassword: first,
    newPassword: password,
  });
  if (change.status !== 204) throw new Error(`${username}'s first password change: ${change.status}`);
  const account: SignedIn = {
    username,
    password,
    browser,
    async renew() {
      const again = await browser.signIn(username, password);
      if (again.status !== 200) throw new Error(`signing ${username} in again: ${again.status}`);
    },
  };
  return account;
}

/** Region staff make a town's admin token and admin user; the user signs in and sets its password. */
export async function townAdmin(apiUrl: string, tenant: string, prefix: string): Promise<TownAdmin> {
  const token = await created(
    await asRegion(apiUrl, tenant, '/api/v1/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: `${prefix} admin token`, role: 'admin' }),
    }),
    `${tenant}'s admin token`,
  );
  const username = `${prefix}-admin`;
  await created(
    await asRegion(apiUrl, tenant, '/api/v1/users', {
      method: 'POST',
      body: JSON.stringify({
        username,
        displayName: `${prefix} town admin`,
        role: 'admin',
        password: `${prefix}-first-password`,
      }),
    }),
    `${tenant}'s admin user`,
  );
  return {
    tenant,
    token: { id: token.id as string, name: token.name as string, secret: token.token as string },
    user: await firstSignIn(apiUrl, username, `${prefix}-first-password`, `${prefix}-second-password`),
  };
}

/** A region account (no tenant of its own) with `role` in the tenants `grants` names, signed in. */
export async function regionAccount(
  apiUrl: string,
  username: string,
  role: 'reader' | 'viewer',
  grants: string[],
): Promise<SignedIn> {
  await created(
    await apiFetch(`${apiUrl}/api/v1/region/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, role, grants, password: `${username}-first-password` }),
    }),
    `region account ${username}`,
  );
  return firstSignIn(apiUrl, username, `${username}-first-password`, `${username}-second-password`);
}
