import { ConflictError } from '../errors/domain-error.ts';
import { type Tenant, tenant } from './schema.ts';
import { applied, type TenantStore, type TenantUpdate } from './store.ts';

/** Tenants in memory (kept as JSON, as the database keeps them), for tests. */
export class MemoryTenantStore implements TenantStore {
  private readonly rows = new Map<string, string>();

  async list(): Promise<Tenant[]> {
    return [...this.rows.keys()].sort().map((id) => this.read(id) as Tenant);
  }

  async get(id: string): Promise<Tenant | undefined> {
    return this.read(id);
  }

  async create(record: Tenant): Promise<Tenant> {
    if (this.rows.has(record.id)) throw new ConflictError(`tenant ${record.id} exists`);
    this.rows.set(record.id, JSON.stringify(tenant.parse(record)));
    return this.read(record.id) as Tenant;
  }

  async update(id: string, change: TenantUpdate): Promise<Tenant | undefined> {
    const current = this.read(id);
    if (!current) return undefined;
    this.rows.set(id, JSON.stringify(applied(current, change)));
    return this.read(id);
  }

  async remove(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }

  private read(id: string): Tenant | undefined {
    const row = this.rows.get(id);
    return row === undefined ? undefined : tenant.parse(JSON.parse(row));
  }
}
