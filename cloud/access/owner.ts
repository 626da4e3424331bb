import { z } from 'zod';
import { defaultTenantId } from '../../shared/ids.ts';

/**
 * Whose an account or token is: one tenant's (`tenant` its id), or the region's (`tenant` null),
 * which reads the tenants in `grants` with its role; a region account with the admin role is region
 * staff: it runs the tenants and acts as admin in each.
 */
export const owner = z.object({
  tenant: z.string().nullable().meta({ description: 'The tenant it belongs to; null for a region account' }),
  grants: z
    .array(z.string())
    .meta({ description: 'Tenants a region account may act on with its role (region admins: all)' }),
});
export type Owner = z.infer<typeof owner>;

/** Accounts and tokens of a single-city installation (and those made without naming an owner). */
export const defaultOwner: Owner = { tenant: defaultTenantId, grants: [] };

/** Region staff: a region account with the admin role. */
export function isRegionAdmin(who: Owner & { role: string }): boolean {
  return who.tenant === null && who.role === 'admin';
}

/** Whether `who` may act on `tenant` at all (its role then says what it may do there). */
export function mayActOn(who: Owner & { role: string }, tenant: string): boolean {
  if (who.tenant !== null) return who.tenant === tenant;
  return isRegionAdmin(who) || who.grants.includes(tenant);
}
