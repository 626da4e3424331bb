import type { Request, RequestHandler, Router } from 'express';
import { mayActOn } from '../access/owner.ts';
import { ForbiddenError, InvalidRequestError, NotFoundError } from '../errors/domain-error.ts';
import type { TenantCell } from '../tenants/cell-parts.ts';
import { principalOf } from './auth.ts';

/** The tenants' running cells, as the API finds them. */
export interface CellLookup {
  get(id: string): TenantCell | undefined;
}

/** The header (and, for EventSource, which cannot send headers, the query parameter) naming a tenant. */
export const tenantHeader = 'x-tenant';
const tenantParameter = 'tenant';

/**
 * The tenant a request names (X-Tenant, or `?tenant=`), with the query parameter taken out of the
 * URL so that the tenant's routes validate their own query as before.
 */
function requestedTenant(req: Request): string | undefined {
  const header = req.get(tenantHeader);
  const url = new URL(req.url, 'http://x');
  const parameter = url.searchParams.get(tenantParameter);
  if (parameter !== null) {
    url.searchParams.delete(tenantParameter);
    const query = url.searchParams.toString();
    req.url = `${url.pathname}${query ? `?${query}` : ''}`;
  }
  return header ?? parameter ?? undefined;
}

/** The tenant a request that names none acts on: the caller's own, or for region accounts the default. */
const regionDefault = 'default';

/**
 * Lets an authenticated request into one tenant's routes. A tenant's account acts on its own tenant
 * (naming another answers 404, as if it did not exist); a region account names the tenant, and may
 * act only on those granted to it (region staff: all). A suspended tenant's own accounts are refused
 * with the reason; region staff still reach it (its data is kept). Routers are built once per cell.
 */
export function tenantScope(cells: CellLookup, routesOf: (cell: TenantCell) => Router): RequestHandler {
  const routers = new WeakMap<TenantCell, Router>();
  return (req, res, next) => {
    const principal = principalOf(res);
    const requested = requestedTenant(req);
    const id = principal.tenant ?? requested ?? regionDefault;
    if (requested !== undefined && requested !== id) throw new NotFoundError(`tenant ${requested} not found`);
    const cell = mayActOn(principal, id) ? cells.get(id) : undefined;
    if (!cell) {
      if (requested === undefined && principal.tenant === null)
        throw new InvalidRequestError('name the tenant: the X-Tenant header or the tenant query parameter');
      throw new NotFoundError(`tenant ${id} not found`);
    }
    if (principal.tenant !== null && cell.tenant().status === 'suspended')
      throw new ForbiddenError(`tenant ${id} is suspended: its data is kept, and region staff can resume it`);
    let router = routers.get(cell);
    if (!router) {
      router = routesOf(cell);
      routers.set(cell, router);
    }
    res.locals.tenant = cell;
    router(req, res, next);
  };
}
