import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../access/audit.ts';
import { ConflictError, InvalidRequestError, NotFoundError } from '../errors/domain-error.ts';
import type { DryRunResult } from '../rules/dry-run.ts';
import type { Rule } from '../rules/schema.ts';
import type { RuleService } from '../rules/service.ts';
import { parseRule } from '../rules/store.ts';
import { principalOf, requireRole } from './auth.ts';

/** Rules under /api/v1/rules: list and read (viewer); create, change, delete, import (operator). */
export function ruleRoutes(
  rules: RuleService,
  audit: AuditLog,
  now: () => Date,
  dryRunner: (rule: Rule, hours: number) => Promise<DryRunResult>,
): Router {
  const router = Router();
  const record = (
    res: Parameters<typeof principalOf>[0],
    action: string,
    target: string,
    before: unknown,
    after: unknown,
  ) => audit.record({ at: now().toISOString(), actor: principalOf(res).name, action, target, before, after });

  router.get('/rules', (_req, res) => {
    res.json({ items: rules.list() });
  });
  router.get('/rules/export', (_req, res) => {
    res.json(rules.export());
  });
  router.get('/rules/:id', (req, res) => {
    const rule = rules.get(req.params.id);
    if (!rule) throw new NotFoundError(`rule ${req.params.id} does not exist`);
    res.json(rule);
  });
  router.post('/rules', requireRole('operator'), async (req, res) => {
    const id = (req.body as { id?: unknown })?.id;
    if (typeof id === 'string' && rules.get(id))
      throw new ConflictError(`rule ${id} exists; PUT /api/v1/rules/${id} changes it`);
    const rule = await rules.put(req.body);
    await record(res, 'rule.create', rule.id, null, req.body);
    res.status(201).json(rule);
  });
  router.put('/rules/:id', requireRole('operator'), async (req, res) => {
    const body = { ...(req.body as object), id: req.params.id };
    const before = rules.export().find((r) => r.id === req.params.id) ?? null;
    const rule = await rules.put(body);
    await record(res, 'rule.update', rule.id, before, body);
    res.json(rule);
  });
  router.delete('/rules/:id', requireRole('operator'), async (req, res) => {
    const before = rules.export().find((r) => r.id === req.params.id) ?? null;
    if (!(await rules.delete(String(req.params.id))))
      throw new NotFoundError(`rule ${req.params.id} does not exist`);
    await record(res, 'rule.delete', String(req.params.id), before, null);
    res.status(204).end();
  });
  router.post('/rules/dry-run', requireRole('operator'), async (req, res) => {
    const body = z
      .object({ rule: z.unknown(), hours: z.number().min(0.1).max(168).default(24) })
      .strict()
      .safeParse(req.body);
    if (!body.success) throw new InvalidRequestError('body is { rule, hours (0.1-168) }');
    res.json(await dryRunner(parseRule(body.data.rule, 'body.rule'), body.data.hours));
  });
  router.post('/rules/import', requireRole('operator'), async (req, res) => {
    const list = z.array(z.unknown()).max(10_000).safeParse(req.body);
    if (!list.success) throw new InvalidRequestError('body must be an array of rules');
    const count = await rules.import(list.data);
    await record(res, 'rule.import', `${count} rules`, null, list.data);
    res.json({ imported: count });
  });
  return router;
}
