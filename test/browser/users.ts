import { apiFetch } from '../helpers/cloud.ts';

/**
 * Console users for the browser tests, made as an administrator makes them: over the API with the
 * test admin token. Such a user must change the first password at the first sign-in.
 */
export async function createUser(
  apiUrl: string,
  user: { username: string; displayName?: string; role: 'viewer' | 'operator' | 'admin' },
  password: string,
): Promise<void> {
  const created = await apiFetch(`${apiUrl}/api/v1/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...user, password }),
  });
  if (created.status !== 201)
    throw new Error(`could not create user ${user.username}: ${await created.text()}`);
}

/** The first sign-in over HTTP, as the console does it: sign in, change the password, sign out. */
export async function firstSignIn(apiUrl: string, username: string, first: string, chosen: string) {
  const signedIn = await fetch(`${apiUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: first }),
  });
  if (signedIn.status !== 200) throw new Error(`${username} could not sign in: ${await signedIn.text()}`);
  const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
  const changed = await fetch(`${apiUrl}/api/v1/session/password`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ currentPassword: first, newPassword: chosen }),
  });
  if (changed.status !== 204)
    throw new Error(`${username} could not change the password: ${await changed.text()}`);
  await fetch(`${apiUrl}/api/v1/session`, { method: 'DELETE', headers });
}
