import { z } from 'zod';
import { city } from '../../shared/fleet.ts';
import { tenantId } from '../../shared/ids.ts';

/** What a tenant may use; going over is refused with the reason and counted, and slows no other tenant. */
export const tenantQuotas = z
  .object({
    devices: z.int().min(0).max(10_000_000),
    gateways: z.int().min(0).max(1_000_000),
    messagesPerSecond: z
      .number()
      .positive()
      .max(1_000_000)
      .meta({ description: 'MQTT messages/s, all gateways' }),
    deadLetterBytes: z.int().min(0).meta({ unit: 'B' }),
    retentionDays: z.int().min(1).max(36_500).meta({ description: 'How long its readings are kept' }),
  })
  .strict()
  .meta({ id: 'TenantQuotas' });
export type TenantQuotas = z.infer<typeof tenantQuotas>;

export const tenantStatus = z.enum(['active', 'suspended']);
export type TenantStatus = z.infer<typeof tenantStatus>;

/**
 * A tenant: one municipality of the region, with its name, sky (time zone and coordinates: sun
 * schedules follow it), status and quotas.
 */
export const tenant = city
  .extend({
    id: tenantId,
    status: tenantStatus,
    quotas: tenantQuotas,
    createdAt: z.iso.datetime(),
  })
  .strict()
  .meta({ id: 'Tenant' });
export type Tenant = z.infer<typeof tenant>;

/** `POST /tenants`: quotas not given take the installation's defaults. */
export const newTenant = city
  .extend({ id: tenantId, quotas: tenantQuotas.partial().optional() })
  .strict()
  .meta({ id: 'NewTenant' });
export type NewTenant = z.infer<typeof newTenant>;

/** `PATCH /tenants/{id}`: the name and any quota. */
export const tenantChange = z
  .object({ name: city.shape.name.optional(), quotas: tenantQuotas.partial().optional() })
  .strict()
  .meta({ id: 'TenantChange' });
export type TenantChange = z.infer<typeof tenantChange>;
