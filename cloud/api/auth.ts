import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { ActiveSession, BrowserSessions } from '../access/browser-sessions.ts';
import type { Principal } from '../access/principal.ts';
import { allows, type Role } from '../access/roles.ts';
import type { TokenStore } from '../access/tokens.ts';
import { ForbiddenError, UnauthorizedError } from '../errors/domain-error.ts';
import { sessionIdOf } from './session-cookie.ts';

/** Methods that change nothing: a cookie-authenticated request with any other needs X-CSRF-Token. */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a user who must change their password may still do: see the session, sign out, change it. */
const beforePasswordChange = new Set(['/session', '/session/password']);

/** Constant-time comparison of two strings of any length (their digests have the same length). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Authenticates every request by EITHER `Authorization: Bearer <API token>` (machines) OR the
 * session cookie (people in the console); the caller becomes `res.locals.principal`. A
 * cookie-authenticated change (any method but GET, HEAD, OPTIONS) must carry the session's CSRF
 * token in X-CSRF-Token: the cookie is sent by the browser on its own, the header only by our page.
 */
export function authenticate(tokens: TokenStore, sessions: BrowserSessions): RequestHandler {
  return async (req, res, next) => {
    const authorization = req.get('authorization');
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const principal = match ? await tokens.verify(match[1] as string) : undefined;
      if (!principal) refuse(res, 'the API token is not valid: Authorization: Bearer <token>');
      res.locals.principal = principal;
      return next();
    }
    const id = sessionIdOf(req);
    const active = id ? await sessions.resolve(id) : undefined;
    if (!active)
      refuse(res, 'sign in (POST /api/v1/session) or send an API token: Authorization: Bearer <token>');
    if (!safeMethods.has(req.method) && !sameSecret(req.get('x-csrf-token') ?? '', active.session.csrfToken))
      throw new ForbiddenError('a change made with the session cookie needs its X-CSRF-Token header');
    if (active.user.mustChangePassword && !beforePasswordChange.has(req.path))
      throw new ForbiddenError('change your password first (POST /api/v1/session/password)');
    const { username, role, tenant, grants } = active.user;
    res.locals.principal = {
      kind: 'user',
      id: username,
      name: username,
      role,
      tenant,
      grants,
    } satisfies Principal;
    res.locals.session = active;
    next();
  };
}

function refuse(res: Response, detail: string): never {
  res.set('WWW-Authenticate', 'Bearer');
  throw new UnauthorizedError(detail);
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** The browser session that authenticated the request; undefined for an API token. */
export function sessionOf(res: Response): ActiveSession | undefined {
  return res.locals.session as ActiveSession | undefined;
}

/** Refuses callers whose role does not include `required`. */
export function requireRole(required: Role): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!allows(principal.role, required)) {
      const holder = principal.kind === 'user' ? `user ${principal.name}` : 'the token';
      throw new ForbiddenError(`this needs the ${required} role; ${holder} has ${principal.role}`);
    }
    next();
  };
}
