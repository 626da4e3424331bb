import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { deviceKind } from '../../shared/kinds/index.ts';
import { alertSeverity } from '../../shared/severity.ts';
import type { AuditLog } from '../access/audit.ts';
import { alert, alertState, alertWithHistory } from '../alerts/schema.ts';
import type { AlertService } from '../alerts/service.ts';
import type { Alert, AlertStore } from '../alerts/store.ts';
import { NotFoundError } from '../errors/domain-error.ts';
import { principalOf, requireRole } from './auth.ts';
import { parseWith } from './errors.ts';
import { answer, idPath, jsonBody, pageOf, refusals } from './openapi-parts.ts';
import { pageQuery } from './schemas.ts';

export const alertQuery = z
  .object({
    state: z.enum([...alertState.options, 'open']).optional(),
    severity: alertSeverity.optional(),
    kind: deviceKind.optional(),
    district: z.string().max(128).optional(),
    device: z.string().max(128).optional(),
    rule: z.string().max(64).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    ...pageQuery,
  })
  .strict();

/** The bodies of the lifecycle actions, by path. */
const actionBodies = {
  acknowledge: z.object({ note: z.string().max(2_000).optional() }).strict(),
  assign: z.object({ assignee: z.string().min(1).max(200) }).strict(),
  comments: z.object({ text: z.string().min(1).max(5_000) }).strict(),
  resolve: z.object({ reason: z.string().min(1).max(2_000) }).strict(),
};

const actionSummaries: Record<keyof typeof actionBodies, string> = {
  acknowledge: 'Acknowledge a firing alert, with an optional note (audited)',
  assign: 'Assign an open alert to someone (audited)',
  comments: 'Comment on an alert (audited)',
  resolve: 'Resolve an open alert with a reason (audited)',
};

/** The lifecycle actions: path, audit name, body schema, and what the service does with it. */
function lifecycle(service: AlertService) {
  return [
    {
      path: 'acknowledge',
      audit: 'alert.acknowledge',
      body: actionBodies.acknowledge,
      run: (id: string, actor: string, b: { note?: string }) => service.acknowledge(id, actor, b.note),
    },
    {
      path: 'assign',
      audit: 'alert.assign',
      body: actionBodies.assign,
      run: (id: string, actor: string, b: { assignee: string }) => service.assign(id, actor, b.assignee),
    },
    {
      path: 'comments',
      audit: 'alert.comment',
      body: actionBodies.comments,
      run: (id: string, actor: string, b: { text: string }) => service.comment(id, actor, b.text),
    },
    {
      path: 'resolve',
      audit: 'alert.resolve',
      body: actionBodies.resolve,
      run: (id: string, actor: string, b: { reason: string }) => service.resolve(id, actor, b.reason),
    },
  ] as const;
}

export const alertPaths: ZodOpenApiPathsObject = {
  '/api/v1/alerts': {
    get: {
      summary: 'Alerts, newest fired first; `state=open` is firing or acknowledged',
      requestParams: { query: alertQuery },
      responses: { ...answer('A page of alerts', pageOf(alert)), ...refusals(400) },
    },
  },
  '/api/v1/alerts/{id}': {
    get: {
      summary: 'One alert with its history',
      requestParams: { path: idPath('alert id') },
      responses: { ...answer('The alert', alertWithHistory), ...refusals(404) },
    },
  },
  ...Object.fromEntries(
    Object.entries(actionBodies).map(([path, body]) => [
      `/api/v1/alerts/{id}/${path}`,
      {
        post: {
          summary: actionSummaries[path as keyof typeof actionBodies],
          requestParams: { path: idPath('alert id') },
          // Acknowledging needs no body; the note is optional.
          requestBody: { ...jsonBody(body), required: path !== 'acknowledge' },
          responses: { ...answer('The alert after the action', alert), ...refusals(400, 404, 409) },
        },
      },
    ]),
  ),
};

/** Alerts under /api/v1/alerts: technicians (viewer) list, acknowledge, assign, comment and resolve. */
export function alertRoutes(
  service: AlertService,
  store: AlertStore,
  audit: AuditLog,
  now: () => Date,
): Router {
  const router = Router();
  router.get('/alerts', async (req, res) => {
    const q = parseWith(alertQuery, req.query, 'query');
    const result = await store.list({ ...q, deviceKind: q.kind, ruleId: q.rule });
    res.json({ total: result.total, limit: q.limit, offset: q.offset, items: result.items });
  });
  router.get('/alerts/:id', async (req, res) => {
    const alert = await store.get(req.params.id);
    if (!alert) throw new NotFoundError(`alert ${req.params.id} does not exist`);
    res.json(alert);
  });
  for (const action of lifecycle(service)) {
    // Each action is recorded in the audit log with the alert before and after.
    router.post(`/alerts/:id/${action.path}`, requireRole('viewer'), async (req, res) => {
      const id = String(req.params.id);
      const body = parseWith(action.body as z.ZodType, req.body ?? {}, 'body');
      const actor = principalOf(res).name;
      const before = await store.get(id);
      // The service throws NotFound and Conflict errors; the problem handler answers them.
      const after: Alert = await (action.run as (id: string, actor: string, b: unknown) => Promise<Alert>)(
        id,
        actor,
        body,
      );
      const name = action.path === 'comments' ? 'comment' : action.path;
      await audit.record({
        at: now().toISOString(),
        actor,
        action: `alert.${name}`,
        target: id,
        before,
        after,
      });
      res.json(after);
    });
  }
  return router;
}
