import type { SignedIn } from './accounts.ts';

/** Who sends a probe: an API token, or a signed-in browser (its cookie, and its CSRF token on changes). */
export type Caller = { name: string; token: string } | { name: string; account: SignedIn };

/** A probe as sent and as answered. */
export interface Exchange {
  /** `METHOD url`, the headers it added and the body: everything the caller typed. */
  request: string;
  status: number;
  /** The answer's body as text (of a stream: its first bytes). */
  text: string;
}

const safe = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Sends one request as `caller`; a stream's answer is read up to its first event, then closed. */
export async function send(
  apiUrl: string,
  caller: Caller,
  method: string,
  url: string,
  options: { body?: unknown; headers?: Record<string, string>; stream?: boolean } = {},
): Promise<Exchange> {
  const headers = new Headers(options.headers);
  if ('token' in caller) headers.set('authorization', `Bearer ${caller.token}`);
  else {
    const { browser } = caller.account;
    if (browser.cookie) headers.set('cookie', `csp_session=${browser.cookie}`);
    if (!safe.has(method) && browser.csrfToken) headers.set('x-csrf-token', browser.csrfToken);
  }
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) headers.set('content-type', 'application/json');
  const abort = new AbortController();
  const res = await fetch(`${apiUrl}${url}`, { method, headers, body, signal: abort.signal });
  let text: string;
  if (options.stream && res.status === 200 && res.body) {
    const reader = res.body.getReader();
    const { value } = await reader.read();
    text = new TextDecoder().decode(value);
    abort.abort();
  } else text = await res.text();
  const added = Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`);
  return { request: [`${method} ${url}`, ...added, body ?? ''].join('\n'), status: res.status, text };
}

const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The markers (another tenant's ids, names and contents) found in `text` as whole words, leaving
 * out those the caller typed itself in `typed` (a 404 names the id it was asked for).
 */
export function leaks(text: string, markers: readonly string[], typed: string): string[] {
  return markers.filter(
    (marker) =>
      !typed.includes(marker) &&
      new RegExp(`(?<![A-Za-z0-9_-])${literally(marker)}(?![A-Za-z0-9_-])`).test(text),
  );
}
