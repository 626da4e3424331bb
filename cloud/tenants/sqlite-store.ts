import type { DatabaseSync } from 'node:sqlite';
import { ConflictError } from '../errors/domain-error.ts';
import { type Tenant, tenant } from './schema.ts';
import { applied, type TenantStore, type TenantUpdate } from './store.ts';

/** Tenants in the platform database: one row each, the record as JSON beside its id. */
export class SqliteTenantStore implements TenantStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec('CREATE TABLE IF NOT EXISTS tenants (id TEXT PRIMARY KEY, record TEXT NOT NULL)');
  }

  async list(): Promise<Tenant[]> {
    return this.db
      .prepare('SELECT record FROM tenants ORDER BY id')
      .all()
      .map((row) => tenant.parse(JSON.parse(String(row.record))));
  }

  async get(id: string): Promise<Tenant | undefined> {
    const row = this.db.prepare('SELECT record FROM tenants WHERE id = ?').get(id);
    return row && tenant.parse(JSON.parse(String(row.record)));
  }

  async create(record: Tenant): Promise<Tenant> {
    const parsed = tenant.parse(record);
    const result = this.db
      .prepare('INSERT INTO tenants (id, record) VALUES (?, ?) ON CONFLICT (id) DO NOTHING')
      .run(parsed.id, JSON.stringify(parsed));
    if (Number(result.changes) === 0) throw new ConflictError(`tenant ${record.id} exists`);
    return parsed;
  }

  async update(id: string, change: TenantUpdate): Promise<Tenant | undefined> {
    const current = await this.get(id);
    if (!current) return undefined;
    const next = applied(current, change);
    this.db.prepare('UPDATE tenants SET record = ? WHERE id = ?').run(JSON.stringify(next), id);
    return next;
  }

  async remove(id: string): Promise<boolean> {
    return Number(this.db.prepare('DELETE FROM tenants WHERE id = ?').run(id).changes) > 0;
  }
}
