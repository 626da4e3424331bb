import { Router } from 'express';
import { z } from 'zod';
import type { SqliteAuditLog } from '../access/audit.ts';
import { AlertError, type AlertService } from '../alerts/service.ts';
import type { Alert, SqliteAlertStore } from '../alerts/store.ts';
import { principalOf } from './auth.ts';
import { ApiError, NotFoundError, parseWith } from './errors.ts';
import { pageQuery } from './schemas.ts';

export const alertQuery = z
  .object({
    state: z.enum(['firing', 'acknowledged', 'resolved', 'open']).optional(),
    severity: z.enum(['info', 'warning', 'minor', 'major', 'critical']).optional(),
    kind: z.enum(['streetlight', 'wasteBin', 'camera']).optional(),
    district: z.string().max(128).optional(),
    device: z.string().max(128).optional(),
    rule: z.string().max(64).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    ...pageQuery,
  })
  .strict();

const note = z.object({ note: z.string().max(2_000).optional() }).strict();
const assignment = z.object({ assignee: z.string().min(1).max(200) }).strict();
const comment = z.object({ text: z.string().min(1).max(5_000) }).strict();
const resolution = z.object({ reason: z.string().min(1).max(2_000) }).strict();

/** Alerts under /api/v1/alerts: technicians (viewer) list, acknowledge, assign, comment and resolve. */
export function alertRoutes(service: AlertService, store: SqliteAlertStore, audit: SqliteAuditLog): Router {
  const router = Router();
  /** Runs a lifecycle action and records it in the audit log with the alert before and after. */
  const act = (res: Parameters<typeof principalOf>[0], id: string, action: string, run: () => Alert) => {
    try {
      const before = store.get(id);
      const after = run();
      audit.record({
        at: new Date().toISOString(),
        actor: principalOf(res).name,
        action: `alert.${action}`,
        target: id,
        before,
        after,
      });
      return after;
    } catch (error) {
      if (error instanceof AlertError) {
        if (error.status === 404) throw new NotFoundError(error.message);
        throw new ApiError(error.status, 'Conflict', error.message);
      }
      throw error;
    }
  };
  router.get('/alerts', (req, res) => {
    const q = parseWith(alertQuery, req.query, 'query');
    const result = store.list({ ...q, deviceKind: q.kind, ruleId: q.rule });
    res.json({ total: result.total, limit: q.limit, offset: q.offset, items: result.items });
  });
  router.get('/alerts/:id', (req, res) => {
    const alert = store.get(req.params.id);
    if (!alert) throw new NotFoundError(`alert ${req.params.id} does not exist`);
    res.json(alert);
  });
  router.post('/alerts/:id/acknowledge', (req, res) => {
    const body = parseWith(note, req.body ?? {}, 'body');
    res.json(
      act(res, req.params.id, 'acknowledge', () =>
        service.acknowledge(req.params.id, principalOf(res).name, body.note),
      ),
    );
  });
  router.post('/alerts/:id/assign', (req, res) => {
    const body = parseWith(assignment, req.body, 'body');
    res.json(
      act(res, req.params.id, 'assign', () =>
        service.assign(req.params.id, principalOf(res).name, body.assignee),
      ),
    );
  });
  router.post('/alerts/:id/comments', (req, res) => {
    const body = parseWith(comment, req.body, 'body');
    res.json(
      act(res, req.params.id, 'comment', () =>
        service.comment(req.params.id, principalOf(res).name, body.text),
      ),
    );
  });
  router.post('/alerts/:id/resolve', (req, res) => {
    const body = parseWith(resolution, req.body, 'body');
    res.json(
      act(res, req.params.id, 'resolve', () =>
        service.resolve(req.params.id, principalOf(res).name, body.reason),
      ),
    );
  });
  return router;
}
