import type { z } from 'zod';
import { newTenant } from './schema.ts';

/**
 * `TENANTS_DIR/<id>/tenant.json`: what `npm start` (the demo) needs to create a tenant that does not
 * exist yet: `POST /tenants`'s body without the id, which is the folder's name. Quotas left out take
 * the installation's defaults. The cloud itself never creates tenants from folders.
 */
export const tenantSeed = newTenant
  .omit({ id: true })
  .meta({ description: 'A municipality to create when the demo starts: name, time zone, centre, quotas' });
export type TenantSeed = z.infer<typeof tenantSeed>;
