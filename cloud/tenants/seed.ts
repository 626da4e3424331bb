import { z } from 'zod';
import { city } from '../../shared/fleet.ts';

/**
 * Limits a tenant may be given at seeding; any left out take the platform's defaults. Each is a
 * ceiling the cloud refuses to exceed, with a reason, for this tenant alone.
 */
export const seedQuotas = z
  .object({
    devices: z.number().int().min(0),
    gateways: z.number().int().min(0),
    messagesPerSecond: z.number().positive(),
    deadLetterBytes: z.number().int().min(0),
    retentionDays: z.number().int().min(1),
  })
  .partial()
  .strict();
export type SeedQuotas = z.infer<typeof seedQuotas>;

/**
 * `TENANTS_DIR/<id>/tenant.json`: what `npm start` (the demo) needs to create a tenant that does not
 * exist yet. The cloud itself never creates tenants from folders; the id is the folder's name.
 */
export const tenantSeed = city
  .extend({ quotas: seedQuotas.optional() })
  .strict()
  .meta({ description: 'A municipality to create when the demo starts: name, time zone, centre, quotas' });
export type TenantSeed = z.infer<typeof tenantSeed>;
