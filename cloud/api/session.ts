import { type Request, type Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { AuditOf } from '../access/audit.ts';
import type { BrowserSessions } from '../access/browser-sessions.ts';
import { LockedOutError, type SignIn } from '../access/sign-in.ts';
import { newPassword, type UserRecord, userRecord } from '../access/users.ts';
import { TooManyRequestsError, UnauthorizedError } from '../errors/domain-error.ts';
import { principalOf, sessionOf } from './auth.ts';
import { parseWith } from './errors.ts';
import { clearSessionCookie, setSessionCookie } from './session-cookie.ts';

/** Any text up to a bound: a sign-in is answered 401, never 400, for a name or password of another shape. */
const signInBody = z
  .object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1_000) })
  .meta({ id: 'SignIn' });
const passwordChangeBody = z
  .object({ currentPassword: z.string().min(1).max(1_000), newPassword })
  .meta({ id: 'PasswordChange' });
export const sessionBody = z
  .object({
    user: userRecord.pick({
      username: true,
      displayName: true,
      role: true,
      mustChangePassword: true,
      tenant: true,
      grants: true,
    }),
    csrfToken: z.string().meta({ description: 'Send it as X-CSRF-Token with every change' }),
  })
  .meta({ id: 'Session' });

export interface SessionRouteDeps {
  signIn: SignIn;
  sessions: BrowserSessions;
  auditOf: AuditOf;
  now: () => Date;
  /** COOKIE_SECURE: the cookie is Secure even on a request that did not come over TLS. */
  cookieSecure: boolean;
  /** LOGIN_ATTEMPTS_PER_MINUTE: failed sign-ins per client address. */
  attemptsPerMinute: number;
}

const sessionOfUser = (user: UserRecord, csrfToken: string): z.infer<typeof sessionBody> => ({
  user: {
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    mustChangePassword: user.mustChangePassword,
    tenant: user.tenant,
    grants: user.grants,
  },
  csrfToken,
});

/** `POST /session`: signing in, the one route of /api/v1 without authentication. */
export function signInRoutes(deps: SessionRouteDeps): Router {
  const router = Router();
  const perAddress = rateLimit({
    windowMs: 60_000,
    limit: deps.attemptsPerMinute,
    // Only failures count: a person who signs in at once uses none of the allowance.
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: () => {
      throw new TooManyRequestsError(
        `more than ${deps.attemptsPerMinute} failed sign-ins a minute from here`,
      );
    },
  });
  router.post('/session', perAddress, async (req, res) => {
    const body = parseWith(signInBody, req.body, 'body');
    const user = await deps.signIn.signIn(body.username, body.password).catch((error: unknown) => {
      if (error instanceof LockedOutError)
        res.set(
          'Retry-After',
          String(Math.max(1, Math.ceil((error.until.getTime() - deps.now().getTime()) / 1000))),
        );
      throw error;
    });
    const { id, session } = await deps.sessions.start(user.username);
    setSessionCookie(req, res, id, deps.cookieSecure);
    await audit(deps, user, 'session.create');
    res.set('Cache-Control', 'no-store').json(sessionOfUser(user, session.csrfToken));
  });
  return router;
}

/** The signed-in user's own session: read it, end it, change the password. */
export function sessionRoutes(deps: SessionRouteDeps): Router {
  const router = Router();
  const requireSession = (res: Response) => {
    const active = sessionOf(res);
    if (!active) throw new UnauthorizedError('no session: this request is authenticated by an API token');
    return active;
  };
  router.get('/session', (_req, res) => {
    const { user, session } = requireSession(res);
    res.set('Cache-Control', 'no-store').json(sessionOfUser(user, session.csrfToken));
  });
  router.delete('/session', async (req: Request, res) => {
    const active = sessionOf(res);
    if (active) {
      await deps.sessions.end(active.session.digest);
      await audit(deps, principalOf(res), 'session.delete');
    }
    clearSessionCookie(req, res, deps.cookieSecure);
    res.status(204).end();
  });
  router.post('/session/password', async (req, res) => {
    const { user, session } = requireSession(res);
    const body = parseWith(passwordChangeBody, req.body, 'body');
    await deps.signIn.changePassword(user.username, body.currentPassword, body.newPassword);
    // Whoever else held the old password is signed out; this browser stays signed in.
    await deps.sessions.endForUser(user.username, session.digest);
    await audit(deps, user, 'user.password');
    res.status(204).end();
  });
  return router;
}

/** Audited without before/after: a session or password change has nothing to show but that it happened. */
function audit(
  deps: SessionRouteDeps,
  account: { username: string; tenant: string | null } | { name: string; tenant: string | null },
  action: string,
) {
  const username = 'username' in account ? account.username : account.name;
  return deps.auditOf(account.tenant).record({
    at: deps.now().toISOString(),
    actor: username,
    action,
    target: username,
    before: null,
    after: null,
  });
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: z.unknown() } },
});

export const sessionPaths: ZodOpenApiPathsObject = {
  '/api/v1/session': {
    post: {
      summary: 'Sign in; sets the HttpOnly session cookie csp_session (no authentication needed)',
      security: [],
      requestBody: { content: { 'application/json': { schema: signInBody } } },
      responses: {
        '200': { description: 'Signed in', content: { 'application/json': { schema: sessionBody } } },
        '401': problem('Wrong username or password, or the account is disabled (one answer for all)'),
        '429': problem(
          'Locked after repeated failures (Retry-After), or too many failures from this address',
        ),
      },
    },
    get: {
      summary: "The signed-in user and the session's CSRF token",
      responses: {
        '200': { description: 'The session', content: { 'application/json': { schema: sessionBody } } },
        '401': problem('Not signed in'),
      },
    },
    delete: {
      summary: 'Sign out: ends the session and clears the cookie (X-CSRF-Token needed)',
      responses: { '204': { description: 'Signed out' } },
    },
  },
  '/api/v1/session/password': {
    post: {
      summary: "Change the signed-in user's password; ends the user's other sessions (X-CSRF-Token needed)",
      requestBody: { content: { 'application/json': { schema: passwordChangeBody } } },
      responses: {
        '204': { description: 'Changed' },
        '400': problem('The new password is too short, too long or unchanged'),
        '403': problem('The current password is wrong, or no CSRF token'),
        '429': problem('Locked after repeated failures'),
      },
    },
  },
};
