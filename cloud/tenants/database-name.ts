import { tenantId } from './id.ts';

/** The tenant of a single-city installation upgraded in place: it keeps INFLUX_DATABASE itself. */
export const DEFAULT_TENANT = 'default';

/**
 * The InfluxDB database of a tenant: `base` for the default tenant, else `<base>_<id>` with every
 * "-" of the id turned into "_" (`city_karlovy_vary`), so that the name needs no quoting in InfluxQL.
 * One database per tenant keeps a town's export, deletion and retention to one `DROP`/`ALTER`.
 * Throws on an id that is not a tenant id: a database name is never built from unchecked text.
 */
export function tenantDatabase(base: string, id: string): string {
  if (!tenantId.safeParse(id).success) throw new RangeError(`not a tenant id: ${JSON.stringify(id)}`);
  if (id === DEFAULT_TENANT) return base;
  return `${base}_${id.replaceAll('-', '_')}`;
}
