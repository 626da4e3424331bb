import { defaultTenantId } from '../../shared/ids.ts';

/**
 * The InfluxDB database (on 2.x/3.x, the bucket) of a tenant: INFLUX_DATABASE itself for the
 * default tenant (a single-city installation keeps its database when it is upgraded), otherwise
 * INFLUX_DATABASE, "_", and the tenant id with "-" as "_" (a tenant id is a slug, so the name needs
 * no quoting in InfluxQL and is a valid bucket name).
 */
export function tenantDatabase(base: string, tenant: string): string {
  return tenant === defaultTenantId ? base : `${base}_${tenant.replaceAll('-', '_')}`;
}
