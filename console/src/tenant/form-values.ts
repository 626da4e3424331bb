import type { NewTenant, Tenant, TenantChange } from '../api/types.ts';

/**
 * The tenant forms' fields, named by the API's paths (so the server's errors land at their field),
 * as the text a person types, and the request bodies made of them. The server checks the values.
 */
export const placeFields = ['id', 'name', 'timezone', 'location.lat', 'location.lon'] as const;
export const quotaFields = [
  'quotas.devices',
  'quotas.gateways',
  'quotas.messagesPerSecond',
  'quotas.deadLetterBytes',
  'quotas.retentionDays',
] as const;
export type TenantField = (typeof placeFields)[number] | (typeof quotaFields)[number];
export type TenantFormValues = Record<TenantField, string>;
type QuotaName = keyof Tenant['quotas'];

/** Dead letters are typed in MB (of 1024 × 1024 bytes), the unit the page shows them in. */
export const bytesPerMB = 1024 * 1024;

const quotaName = (field: (typeof quotaFields)[number]) => field.slice('quotas.'.length) as QuotaName;

/**
 * A number as typed: spaces (a Czech thousands separator) dropped and a decimal comma read as a
 * point; empty is no value. Text that is no number stays text, sent as it is for the server to
 * refuse at its field (the request types say number: the cast below is that one exception).
 */
export function parseNumber(text: string): number | string | undefined {
  const trimmed = text.replace(/\s/g, '').replace(',', '.');
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

function quotasOf(values: TenantFormValues): Partial<Tenant['quotas']> {
  const quotas: Partial<Record<QuotaName, number | string>> = {};
  for (const field of quotaFields) {
    const value = parseNumber(values[field]);
    if (value === undefined) continue;
    const name = quotaName(field);
    quotas[name] =
      name === 'deadLetterBytes' && typeof value === 'number' ? Math.round(value * bytesPerMB) : value;
  }
  return quotas as Partial<Tenant['quotas']>;
}

export const emptyTenantForm: TenantFormValues = {
  id: '',
  name: '',
  timezone: 'Europe/Prague',
  'location.lat': '',
  'location.lon': '',
  'quotas.devices': '',
  'quotas.gateways': '',
  'quotas.messagesPerSecond': '',
  'quotas.deadLetterBytes': '',
  'quotas.retentionDays': '',
};

/** POST /tenants: quotas left empty take the installation's defaults. */
export function toNewTenant(values: TenantFormValues): NewTenant {
  const quotas = quotasOf(values);
  return {
    id: values.id.trim(),
    name: values.name.trim(),
    timezone: values.timezone.trim(),
    location: {
      lat: parseNumber(values['location.lat']) as number,
      lon: parseNumber(values['location.lon']) as number,
    },
    ...(Object.keys(quotas).length > 0 && { quotas }),
  };
}

/** The form of a town's name and quotas as they are now. */
export function tenantFormOf(tenant: Tenant): TenantFormValues {
  const values = { ...emptyTenantForm, id: tenant.id, name: tenant.name, timezone: tenant.timezone };
  values['location.lat'] = String(tenant.location.lat);
  values['location.lon'] = String(tenant.location.lon);
  for (const field of quotaFields) {
    const name = quotaName(field);
    const value = tenant.quotas[name];
    values[field] = String(name === 'deadLetterBytes' ? value / bytesPerMB : value);
  }
  return values;
}

/** PATCH /tenants/{id}: the name and the quotas that changed (an emptied quota is left as it is). */
export function toTenantChange(values: TenantFormValues, before: Tenant): TenantChange {
  const change: TenantChange = {};
  if (values.name.trim() !== before.name) change.name = values.name.trim();
  const quotas = Object.entries(quotasOf(values)).filter(
    ([name, value]) => before.quotas[name as QuotaName] !== value,
  );
  if (quotas.length > 0) change.quotas = Object.fromEntries(quotas);
  return change;
}
