import { type Response, Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { tenantId } from '../../shared/ids.ts';
import type { AuditLog } from '../access/audit.ts';
import { role } from '../access/roles.ts';
import { type UserAdmin, type UserView, userView } from '../access/user-admin.ts';
import { displayName, newPassword, username } from '../access/users.ts';
import { principalOf, requireRole } from './auth.ts';
import { parseWith } from './errors.ts';

const userPath = z.object({ username });
/** For region accounts (/region/users): the tenants it may act on. A tenant's accounts have none. */
const grants = z.array(tenantId).max(1_000).optional();
const userBody = z
  .object({ username, displayName: displayName.optional(), role, password: newPassword, grants })
  .strict()
  .meta({ id: 'NewUser' });
const userPatch = z
  .object({
    displayName: displayName.optional(),
    role: role.optional(),
    disabled: z.boolean().optional(),
    grants,
  })
  .strict()
  .meta({ id: 'UserPatch' });
const resetBody = z.object({ password: newPassword }).strict().meta({ id: 'PasswordReset' });

/** User accounts: admin only, every change audited (never a password or a hash). */
export function userRoutes(admin: UserAdmin, audit: AuditLog, now: () => Date): Router {
  const router = Router();
  const record = (res: Response, action: string, target: string, before: UserView | null, after: UserView) =>
    audit.record({ at: now().toISOString(), actor: principalOf(res).name, action, target, before, after });
  router.use('/users', requireRole('admin'));
  router.get('/users', async (_req, res) => {
    res.json({ items: await admin.list() });
  });
  router.post('/users', async (req, res) => {
    const body = parseWith(userBody, req.body, 'body');
    const user = await admin.create(body);
    await record(res, 'user.create', user.username, null, user);
    res.status(201).json(user);
  });
  router.patch('/users/:username', async (req, res) => {
    const { username: name } = parseWith(userPath, req.params, 'path');
    const patch = parseWith(userPatch, req.body, 'body');
    const before = await admin.get(name);
    const after = await admin.update(name, patch);
    await record(res, 'user.update', name, before, after);
    res.json(after);
  });
  router.post('/users/:username/reset', async (req, res) => {
    const { username: name } = parseWith(userPath, req.params, 'path');
    const { password } = parseWith(resetBody, req.body, 'body');
    const before = await admin.get(name);
    const after = await admin.reset(name, password);
    await record(res, 'user.reset', name, before, after);
    res.json(after);
  });
  return router;
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: z.unknown() } },
});
const oneUser = (description: string) => ({
  description,
  content: { 'application/json': { schema: userView } },
});
const refusals = {
  '400': problem('Invalid request'),
  '403': problem('Needs the admin role'),
};

export const userPaths: ZodOpenApiPathsObject = {
  '/api/v1/users': {
    get: {
      summary: 'User accounts (admin)',
      responses: {
        '200': {
          description: 'Every user, by username',
          content: { 'application/json': { schema: z.object({ items: z.array(userView) }) } },
        },
        ...refusals,
      },
    },
    post: {
      summary: 'Add a user (admin, audited); the user must change the password at the first sign-in',
      requestBody: { content: { 'application/json': { schema: userBody } } },
      responses: { '201': oneUser('The user'), ...refusals, '409': problem('The username is taken') },
    },
  },
  '/api/v1/users/{username}': {
    patch: {
      summary:
        "Change a user's display name or role, or disable it (admin, audited; disabling ends its sessions)",
      requestParams: { path: userPath },
      requestBody: { content: { 'application/json': { schema: userPatch } } },
      responses: {
        '200': oneUser('The user'),
        ...refusals,
        '404': problem('No such user'),
        '409': problem('It is the last enabled admin'),
      },
    },
  },
  '/api/v1/users/{username}/reset': {
    post: {
      summary:
        "Set a user's password (admin, audited): to be changed at the next sign-in; unlocks it and ends its sessions",
      requestParams: { path: userPath },
      requestBody: { content: { 'application/json': { schema: resetBody } } },
      responses: { '200': oneUser('The user'), ...refusals, '404': problem('No such user') },
    },
  },
};
