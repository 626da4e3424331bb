import { parseCookie } from 'cookie';
import type { CookieOptions, Request, Response } from 'express';

/** The browser session's cookie: its value is the session id, which the server keeps only as a digest. */
export const sessionCookieName = 'csp_session';

/** The session id the request's cookie carries, if any. */
export function sessionIdOf(req: Request): string | undefined {
  const header = req.get('cookie');
  return header ? parseCookie(header)[sessionCookieName] : undefined;
}

/**
 * HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Path=/, and Secure
 * when the request came over TLS (directly, or through a proxy trusted by TRUST_PROXY) or
 * COOKIE_SECURE is set. No Max-Age: the browser forgets it when it closes; the server ends it sooner.
 */
function options(req: Request, alwaysSecure: boolean): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: alwaysSecure || req.secure };
}

export function setSessionCookie(req: Request, res: Response, id: string, alwaysSecure: boolean): void {
  res.cookie(sessionCookieName, id, options(req, alwaysSecure));
}

export function clearSessionCookie(req: Request, res: Response, alwaysSecure: boolean): void {
  res.clearCookie(sessionCookieName, options(req, alwaysSecure));
}
