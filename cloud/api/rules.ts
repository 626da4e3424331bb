import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { AuditLog } from '../access/audit.ts';
import { ConflictError, NotFoundError } from '../errors/domain-error.ts';
import { type DryRunResult, dryRunResult } from '../rules/dry-run.ts';
import { type Rule, rule } from '../rules/schema.ts';
import type { RuleService } from '../rules/service.ts';
import { principalOf, requireRole } from './auth.ts';
import { parseWith } from './errors.ts';
import { answer, idPath, jsonBody, listOf, noContent, refusals } from './openapi-parts.ts';

export const dryRunBody = z
  .object({
    rule,
    hours: z.number().min(0.1).max(168).default(24).meta({ description: 'Hours of history to replay' }),
  })
  .strict();

/** An import: a list of rules, all valid or none saved. */
export const ruleList = z.array(rule).max(10_000);

const ruleId = idPath('rule id');

export const rulePaths: ZodOpenApiPathsObject = {
  '/api/v1/rules': {
    get: {
      summary: 'Every rule, by id, with defaults filled in',
      responses: answer('The rules', listOf(rule)),
    },
    post: {
      summary: 'Create a rule (operator, audited); it runs at once',
      requestBody: jsonBody(rule),
      responses: { ...answer('The rule, defaults filled in', rule, '201'), ...refusals(400, 403, 409) },
    },
  },
  '/api/v1/rules/export': {
    get: {
      summary: 'Every rule as written (fields left to their default stay out), ready to import',
      responses: {
        '200': {
          description: 'The rules, in the form POST, PUT and import accept',
          // The request form of the rule (`Rule`), not the answer form: defaults may be absent.
          content: {
            'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Rule' } } },
          },
        },
      },
    },
  },
  '/api/v1/rules/import': {
    post: {
      summary:
        'Create or replace many rules (operator, audited): all are checked, none saved if one is invalid',
      requestBody: jsonBody(ruleList),
      responses: { ...answer('How many', z.object({ imported: z.int() })), ...refusals(400, 403) },
    },
  },
  '/api/v1/rules/dry-run': {
    post: {
      summary: 'What a rule would have fired over the last hours of data, without saving it (operator)',
      requestBody: jsonBody(dryRunBody),
      responses: { ...answer('The replay', dryRunResult), ...refusals(400, 403) },
    },
  },
  '/api/v1/rules/{id}': {
    get: {
      summary: 'One rule, with defaults filled in',
      requestParams: { path: ruleId },
      responses: { ...answer('The rule', rule), ...refusals(404) },
    },
    put: {
      summary:
        'Create or replace a rule (operator, audited); the id is the one in the path. What GET answers, PUT accepts unchanged',
      requestParams: { path: ruleId },
      requestBody: jsonBody(rule),
      responses: { ...answer('The rule, defaults filled in', rule), ...refusals(400, 403) },
    },
    delete: {
      summary: 'Delete a rule (operator, audited); its open alerts are cleared',
      requestParams: { path: ruleId },
      responses: { ...noContent, ...refusals(403, 404) },
    },
  },
};

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
    const body = parseWith(dryRunBody, req.body, 'body');
    res.json(await dryRunner(body.rule, body.hours));
  });
  router.post('/rules/import', requireRole('operator'), async (req, res) => {
    parseWith(ruleList, req.body, 'body');
    // The rules are kept as written (the parsed form has defaults filled in).
    const written = req.body as unknown[];
    const count = await rules.import(written);
    await record(res, 'rule.import', `${count} rules`, null, written);
    res.json({ imported: count });
  });
  return router;
}
