import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { type AuditLog, auditEntry } from '../access/audit.ts';
import { type TokenStore, tokenRecord } from '../access/tokens.ts';
import { NotFoundError } from '../errors/domain-error.ts';
import { principalOf, requireRole } from './auth.ts';
import { parseWith } from './errors.ts';
import { answer, idPath, jsonBody, listOf, noContent, refusals } from './openapi-parts.ts';
import { auditQuery, tokenBody } from './schemas.ts';

export const accessPaths: ZodOpenApiPathsObject = {
  '/api/v1/tokens': {
    get: {
      summary: 'API tokens, oldest first, without their secrets (admin)',
      responses: { ...answer('Every token', listOf(tokenRecord)), ...refusals(403) },
    },
    post: {
      summary: 'Create an API token (admin, audited); its secret is in this answer only',
      requestBody: jsonBody(tokenBody),
      responses: {
        ...answer(
          'The token and its secret',
          tokenRecord
            .extend({ token: z.string().meta({ description: 'The secret: Authorization: Bearer <token>' }) })
            .meta({ id: 'TokenCreated' }),
          '201',
        ),
        ...refusals(400, 403),
      },
    },
  },
  '/api/v1/tokens/{id}': {
    delete: {
      summary: 'Revoke an API token (admin, audited)',
      requestParams: { path: idPath('token id') },
      responses: { ...noContent, ...refusals(403, 404) },
    },
  },
  '/api/v1/audit': {
    get: {
      summary: 'The audit log, newest first (admin)',
      requestParams: { query: auditQuery },
      responses: {
        ...answer('A page of the audit log', z.object({ total: z.int(), items: z.array(auditEntry) })),
        ...refusals(400, 403),
      },
    },
  },
};

/** API tokens and the audit log: admin only. */
export function accessRoutes(tokens: TokenStore, audit: AuditLog, now: () => Date): Router {
  const router = Router();
  router.use(['/tokens', '/audit'], requireRole('admin'));
  router.get('/tokens', async (_req, res) => {
    res.json({ items: await tokens.list() });
  });
  router.post('/tokens', async (req, res) => {
    const body = parseWith(tokenBody, req.body, 'body');
    const { record, secret } = await tokens.create(body.name, body.role, now());
    await audit.record({
      at: now().toISOString(),
      actor: principalOf(res).name,
      action: 'token.create',
      target: record.id,
      before: null,
      after: record,
    });
    // The secret is shown in this answer only; the server keeps a digest.
    res.status(201).json({ ...record, token: secret });
  });
  router.delete('/tokens/:id', async (req, res) => {
    const before = await tokens.get(req.params.id);
    if (!before || !(await tokens.revoke(req.params.id)))
      throw new NotFoundError(`token ${req.params.id} does not exist`);
    await audit.record({
      at: now().toISOString(),
      actor: principalOf(res).name,
      action: 'token.revoke',
      target: before.id,
      before,
      after: await tokens.get(before.id),
    });
    res.status(204).end();
  });
  router.get('/audit', async (req, res) => {
    const q = parseWith(auditQuery, req.query, 'query');
    res.json(await audit.list(q.limit, q.offset));
  });
  return router;
}
