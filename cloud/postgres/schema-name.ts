import type pg from 'pg';
import { tenantId } from '../../shared/ids.ts';

/**
 * One PostgreSQL schema and the pool that reaches it: what every PostgreSQL store is given. `name`
 * is already quoted, ready to qualify a table (`${schema.name}.alerts`).
 */
export interface PgSchema {
  pool: pg.Pool;
  name: string;
}

/** The installation's accounts, tokens, sessions, tenants and region-wide audit and dead letters. */
export const platformSchemaName = 'platform';

const plainName = /^[a-z_][a-z0-9_]{0,62}$/;

/** `name` as a quoted identifier; only lower-case letters, digits and `_` are accepted, so nothing needs escaping. */
export function quoteSchema(name: string): string {
  if (!plainName.test(name)) throw new Error(`"${name}" is not a schema name this platform makes`);
  return `"${name}"`;
}

/**
 * The schema of a tenant's stores: `t_` and its id with `-` as `_` (ids have no `_`, so two tenants
 * never share one). An id that is not a tenant id is refused, whatever reaches this function.
 */
export function tenantSchemaName(id: string): string {
  const parsed = tenantId.safeParse(id);
  if (!parsed.success) throw new Error(`"${id}" is not a tenant id: ${parsed.error.issues[0]?.message}`);
  return `t_${parsed.data.replaceAll('-', '_')}`;
}
