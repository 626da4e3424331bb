import { type Response, Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { AuditLog } from '../access/audit.ts';
import { isRegionAdmin, mayActOn } from '../access/owner.ts';
import { ForbiddenError, NotFoundError } from '../errors/domain-error.ts';
import type { TenantCell } from '../tenants/cell-parts.ts';
import { tenantUsage } from '../tenants/quotas.ts';
import { newTenant, type Tenant, tenant, tenantChange } from '../tenants/schema.ts';
import type { TenantService } from '../tenants/service.ts';
import { principalOf } from './auth.ts';
import { parseWith } from './errors.ts';
import { answer, idPath, jsonBody, listOf, noContent, refusals } from './openapi-parts.ts';

const tenantPath = z.object({ id: z.string() });

export const tenantPaths: ZodOpenApiPathsObject = {
  '/api/v1/tenants': {
    get: {
      summary:
        'The tenants the caller may see: region staff all, a region account those granted, others their own',
      responses: answer('Tenants by id', listOf(tenant)),
    },
    post: {
      summary: 'Create a tenant (region staff, audited); it starts at once',
      requestBody: jsonBody(newTenant),
      responses: { ...answer('The tenant', tenant, '201'), ...refusals(400, 403, 409) },
    },
  },
  '/api/v1/tenants/{id}': {
    get: {
      summary: 'One tenant',
      requestParams: { path: idPath('tenant id') },
      responses: { ...answer('The tenant', tenant), ...refusals(404) },
    },
    patch: {
      summary: "Change a tenant's name or quotas (region staff, audited)",
      requestParams: { path: idPath('tenant id') },
      requestBody: jsonBody(tenantChange),
      responses: { ...answer('The tenant', tenant), ...refusals(400, 403, 404) },
    },
    delete: {
      summary: 'Delete a tenant and everything it has: data, accounts, gateways (region staff, audited)',
      requestParams: { path: idPath('tenant id') },
      responses: { ...noContent, ...refusals(403, 404) },
    },
  },
  '/api/v1/tenants/{id}/suspend': {
    post: {
      summary:
        'Suspend a tenant: its gateways and accounts are refused, its data kept (region staff, audited)',
      requestParams: { path: idPath('tenant id') },
      responses: { ...answer('The tenant', tenant), ...refusals(403, 404) },
    },
  },
  '/api/v1/tenants/{id}/resume': {
    post: {
      summary: 'Resume a suspended tenant (region staff, audited)',
      requestParams: { path: idPath('tenant id') },
      responses: { ...answer('The tenant', tenant), ...refusals(403, 404) },
    },
  },
  '/api/v1/tenants/{id}/usage': {
    get: {
      summary: 'What a tenant uses of its quotas, and what they refused',
      requestParams: { path: idPath('tenant id') },
      responses: { ...answer('Its usage', tenantUsage), ...refusals(404) },
    },
  },
};

export interface TenantAdminDeps {
  tenants: TenantService;
  cells: { get(id: string): TenantCell | undefined };
  /** The region's audit log. */
  audit: AuditLog;
  now: () => Date;
}

/** Tenants under /api/v1/tenants: region staff run them; everyone may read those they may act on. */
export function tenantAdminRoutes(deps: TenantAdminDeps): Router {
  const { tenants, audit, now } = deps;
  const router = Router();
  /** The tenant, if the caller may see it: otherwise 404, as if it did not exist. */
  const visible = (res: Response, id: string): Tenant => {
    const record = tenants.current(id);
    if (!record || !mayActOn(principalOf(res), id)) throw new NotFoundError(`tenant ${id} not found`);
    return record;
  };
  const regionStaff = (res: Response) => {
    const principal = principalOf(res);
    if (!isRegionAdmin(principal))
      throw new ForbiddenError('this needs region staff: a region account with the admin role');
    return principal;
  };
  const record = (res: Response, action: string, target: string, before: unknown, after: unknown) =>
    audit.record({ at: now().toISOString(), actor: principalOf(res).name, action, target, before, after });

  router.get('/tenants', (_req, res) => {
    const principal = principalOf(res);
    res.json({ items: tenants.list().filter((t) => mayActOn(principal, t.id)) });
  });
  router.post('/tenants', async (req, res) => {
    regionStaff(res);
    const created = await tenants.create(parseWith(newTenant, req.body, 'body'));
    await record(res, 'tenant.create', created.id, null, created);
    res.status(201).json(created);
  });
  router.get('/tenants/:id', (req, res) => {
    res.json(visible(res, parseWith(tenantPath, req.params, 'path').id));
  });
  router.get('/tenants/:id/usage', async (req, res) => {
    const record = visible(res, parseWith(tenantPath, req.params, 'path').id);
    const cell = deps.cells.get(record.id);
    if (!cell) throw new NotFoundError(`tenant ${record.id} is not running`);
    res.json(await cell.quotas.usage());
  });
  router.patch('/tenants/:id', async (req, res) => {
    regionStaff(res);
    const before = visible(res, parseWith(tenantPath, req.params, 'path').id);
    const after = await tenants.change(before.id, parseWith(tenantChange, req.body, 'body'));
    await record(res, 'tenant.update', before.id, before, after);
    res.json(after);
  });
  for (const action of ['suspend', 'resume'] as const)
    router.post(`/tenants/:id/${action}`, async (req, res) => {
      regionStaff(res);
      const before = visible(res, parseWith(tenantPath, req.params, 'path').id);
      const after = await tenants[action](before.id);
      await record(res, `tenant.${action}`, before.id, before, after);
      res.json(after);
    });
  router.delete('/tenants/:id', async (req, res) => {
    regionStaff(res);
    const before = visible(res, parseWith(tenantPath, req.params, 'path').id);
    await tenants.remove(before.id);
    await record(res, 'tenant.delete', before.id, before, null);
    res.status(204).end();
  });
  return router;
}
