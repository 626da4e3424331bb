import { parseSetCookie, type SetCookie } from 'cookie';
import { apiFetch } from './cloud.ts';

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  // biome-ignore lint/suspicious/noExplicitAny: as JSON.parse answers; the tests' expectations check the shape
  body: any;
  /** The session cookie this answer set or cleared, if it did. */
  cookie: SetCookie | undefined;
}

/**
 * What a browser does with the console's API: keeps the `csp_session` cookie the server sets and
 * sends it back, and sends the session's CSRF token in X-CSRF-Token when asked to (as the console does
 * on every change).
 */
export class BrowserClient {
  readonly apiUrl: string;
  cookie: string | undefined;
  csrfToken: string | undefined;

  constructor(apiUrl: string) {
    this.apiUrl = apiUrl;
  }

  async signIn(username: string, password: string, headers: Record<string, string> = {}): Promise<Answer> {
    const answer = await this.call('POST', '/api/v1/session', { username, password }, { headers });
    if (answer.status === 200) this.csrfToken = answer.body.csrfToken;
    return answer;
  }

  /** A request with the cookie (if held); `csrf: false` leaves out X-CSRF-Token, a string sends that instead. */
  async call(
    method: string,
    path: string,
    body?: unknown,
    options: { csrf?: boolean | string; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers = new Headers(options.headers);
    if (body !== undefined) headers.set('content-type', 'application/json');
    if (this.cookie) headers.set('cookie', `csp_session=${this.cookie}`);
    const csrf = options.csrf ?? true;
    if (typeof csrf === 'string') headers.set('x-csrf-token', csrf);
    else if (csrf && this.csrfToken) headers.set('x-csrf-token', this.csrfToken);
    const res = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const cookie = res.headers
      .getSetCookie()
      .map((line) => parseSetCookie(line))
      .find((c) => c.name === 'csp_session');
    if (cookie) this.cookie = cookie.value || undefined;
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, cookie };
  }
}

/** Adds a user through the API with the test admin token; returns the user as answered (201). */
export async function addUser(
  apiUrl: string,
  username: string,
  role: 'viewer' | 'operator' | 'admin',
  password: string,
): Promise<Answer> {
  const res = await apiFetch(`${apiUrl}/api/v1/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, role, password }),
  });
  return { status: res.status, headers: res.headers, body: await res.json(), cookie: undefined };
}

/**
 * A user added by the admin token and signed in by a browser that has already changed the first
 * password (to `password`), so it can work.
 */
export async function signedInUser(
  apiUrl: string,
  username: string,
  role: 'viewer' | 'operator' | 'admin',
  password: string,
): Promise<BrowserClient> {
  const added = await addUser(apiUrl, username, role, `first-${password}`);
  if (added.status !== 201)
    throw new Error(`adding ${username}: ${added.status} ${JSON.stringify(added.body)}`);
  const browser = new BrowserClient(apiUrl);
  const signIn = await browser.signIn(username, `first-${password}`);
  if (signIn.status !== 200) throw new Error(`signing in ${username}: ${signIn.status}`);
  const change = await browser.call('POST', '/api/v1/session/password', {
    currentPassword: `first-${password}`,
    newPassword: password,
  });
  if (change.status !== 204) throw new Error(`changing ${username}'s password: ${change.status}`);
  return browser;
}
