import type { RequestHandler, Response } from 'express';
import { allows, type Role } from '../access/roles.ts';
import type { Principal, TokenStore } from '../access/tokens.ts';
import { ForbiddenError, UnauthorizedError } from '../errors/domain-error.ts';

/** Requires `Authorization: Bearer <API token>`; the caller becomes `res.locals.principal`. */
export function authenticate(tokens: TokenStore): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const principal = match ? await tokens.verify(match[1] as string) : undefined;
    if (!principal) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedError('an API token is required: Authorization: Bearer <token>');
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** Refuses callers whose role does not include `required`. */
export function requireRole(required: Role): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!allows(principal.role, required)) {
      throw new ForbiddenError(`this needs the ${required} role; the token has ${principal.role}`);
    }
    next();
  };
}
