import { ConflictError } from '../errors/domain-error.ts';
import { inTransaction } from '../postgres/pool.ts';
import type { PgSchema } from '../postgres/schema-name.ts';
import { type Tenant, tenant } from './schema.ts';
import { applied, type TenantStore, type TenantUpdate } from './store.ts';

/**
 * The tenants in PostgreSQL (the platform schema, cluster mode): one row each, the record as JSON
 * beside its id. A change is read, applied and written in one transaction with the row locked, so two
 * nodes changing one tenant at once both take effect in turn. A tenant's stores live in a schema of
 * their own (cloud/postgres/database.ts `dropTenant` deletes them); this row is only its record.
 */
export class PostgresTenantStore implements TenantStore {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async list(): Promise<Tenant[]> {
    const { rows } = await this.schema.pool.query<{ record: string }>(
      `SELECT record FROM ${this.schema.name}.tenants ORDER BY id`,
    );
    return rows.map((row) => tenant.parse(JSON.parse(row.record)));
  }

  async get(id: string): Promise<Tenant | undefined> {
    const { rows } = await this.schema.pool.query<{ record: string }>(
      `SELECT record FROM ${this.schema.name}.tenants WHERE id = $1`,
      [id],
    );
    return rows[0] && tenant.parse(JSON.parse(rows[0].record));
  }

  async create(record: Tenant): Promise<Tenant> {
    const parsed = tenant.parse(record);
    const { rowCount } = await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.tenants (id, record) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
      [parsed.id, JSON.stringify(parsed)],
    );
    if (rowCount === 0) throw new ConflictError(`tenant ${record.id} exists`);
    return parsed;
  }

  async update(id: string, change: TenantUpdate): Promise<Tenant | undefined> {
    return inTransaction(this.schema.pool, async (client) => {
      const { rows } = await client.query<{ record: string }>(
        `SELECT record FROM ${this.schema.name}.tenants WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const next = rows[0] && applied(tenant.parse(JSON.parse(rows[0].record)), change);
      if (next)
        await client.query(`UPDATE ${this.schema.name}.tenants SET record = $1 WHERE id = $2`, [
          JSON.stringify(next),
          id,
        ]);
      return next;
    });
  }

  async remove(id: string): Promise<boolean> {
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.tenants WHERE id = $1`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  }
}
