import { expect } from 'vitest';

/**
 * The REST API needs a bearer token: the adversarial tests start their cloud with ADMIN_TOKEN set
 * (the bootstrap admin) and send it with every request under /api/v1.
 */
export const adminToken = 'adv-admin-token-0123456789abcdef';
export const authEnv = { ADMIN_TOKEN: adminToken };

export function api(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${adminToken}`);
  return fetch(url, { ...init, headers });
}

export async function apiJson<T = Record<string, unknown>>(
  url: string,
): Promise<{ status: number; body: T }> {
  const res = await api(url);
  return { status: res.status, body: (await res.json()) as T };
}

/** A string that leaks internals: a stack frame, a source file, a module path, an absolute path. */
const leak = /\n\s+at |node_modules|\.ts:\d+|\.js:\d+|\/(work|home|usr|tmp|app)\//;

/** A URL path segment: encoded, or for strings encodeURIComponent refuses (lone surrogates), raw escapes. */
export function segment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return Buffer.from(s).toString('hex').replace(/../g, '%$&');
  }
}

/**
 * Sends a request and checks the answer: below 500, never leaking internals, and a refusal (4xx) is
 * problem+json whose status matches. Returns what was wrong, so that every offender is listed at once.
 */
export async function probeApi(
  baseUrl: string,
  path: string,
  init: RequestInit & { allow2xx?: boolean } = {},
): Promise<{ problem?: string; status: number; body: string }> {
  const res = await api(`${baseUrl}${path}`, init);
  const body = await res.text();
  const what = `${init.method ?? 'GET'} ${path.slice(0, 120)} -> ${res.status}`;
  const type = res.headers.get('content-type') ?? '';
  let problem: string | undefined;
  if (res.status >= 500) problem = `${what}: server error ${body.slice(0, 300)}`;
  else if (leak.test(body)) problem = `${what}: leaks internals ${body.slice(0, 300)}`;
  else if (res.status < 400 && !init.allow2xx) problem = `${what}: accepted`;
  else if (res.status >= 400) {
    if (!type.startsWith('application/problem+json')) problem = `${what}: content-type ${type}`;
    else if ((JSON.parse(body) as { status?: number }).status !== res.status)
      problem = `${what}: status in body`;
  }
  return { problem, status: res.status, body };
}

export type ApiRequest = [string, (RequestInit & { allow2xx?: boolean })?];

export async function expectAnswered(baseUrl: string, requests: ApiRequest[]) {
  const problems: string[] = [];
  for (const [path, init] of requests) {
    const { problem } = await probeApi(baseUrl, path, init);
    if (problem) problems.push(problem);
  }
  expect(problems).toEqual([]);
}
