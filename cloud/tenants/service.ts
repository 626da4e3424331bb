import type { Logger } from 'pino';
import { ConflictError, NotFoundError } from '../errors/domain-error.ts';
import type { TenantCells } from './cells.ts';
import type { NewTenant, Tenant, TenantChange, TenantQuotas } from './schema.ts';
import type { TenantStore } from './store.ts';

export interface TenantServiceDeps {
  store: TenantStore;
  cells: TenantCells;
  /** Quotas a new tenant gets where its draft names none. */
  defaultQuotas: TenantQuotas;
  now: () => Date;
  log: Logger;
  /** Closes the connections of the tenant's gateways, logging `why`. */
  endGatewaySessions(tenant: string, why: string): void;
  /** The tenant's retention changed: its database keeps `days` days of points from now on. */
  applyRetention(tenant: string, days: number): Promise<void>;
  /**
   * Removes every trace of a stopped tenant outside the tenant store: its gateways' credentials, its
   * accounts and tokens (and region grants of it), its InfluxDB database and its data folder.
   */
  erase(tenant: string): Promise<void>;
}

/**
 * What region staff do to tenants: create (it starts at once), change the name and quotas, suspend
 * (its gateways are refused and disconnected, its accounts refused; its data is kept), resume, and
 * delete (everything it had is removed). The record in memory is the one cells and the broker read.
 */
export class TenantService {
  private readonly deps: TenantServiceDeps;
  private readonly records = new Map<string, Tenant>();

  constructor(deps: TenantServiceDeps) {
    this.deps = deps;
  }

  /** Reads the tenants from the store; returns them. */
  async load(): Promise<Tenant[]> {
    const tenants = await this.deps.store.list();
    for (const tenant of tenants) this.records.set(tenant.id, tenant);
    return tenants;
  }

  /** The record in force (undefined once deleted). */
  current(id: string): Tenant | undefined {
    return this.records.get(id);
  }

  list(): Tenant[] {
    return [...this.records.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  get(id: string): Tenant {
    const tenant = this.records.get(id);
    if (!tenant) throw new NotFoundError(`tenant ${id} not found`);
    return tenant;
  }

  /** Stores a new tenant and starts its cell; if the cell cannot start, the record is taken back. */
  async create(draft: NewTenant): Promise<Tenant> {
    if (this.records.has(draft.id)) throw new ConflictError(`tenant ${draft.id} exists`);
    const tenant: Tenant = {
      id: draft.id,
      name: draft.name,
      timezone: draft.timezone,
      location: draft.location,
      status: 'active',
      quotas: { ...this.deps.defaultQuotas, ...draft.quotas },
      createdAt: this.deps.now().toISOString(),
    };
    await this.deps.store.create(tenant);
    this.records.set(tenant.id, tenant);
    try {
      await this.deps.cells.start(tenant);
    } catch (error) {
      this.records.delete(tenant.id);
      await this.deps.store.remove(tenant.id);
      throw error;
    }
    this.deps.log.info({ tenant: tenant.id }, 'tenant created');
    return tenant;
  }

  async change(id: string, change: TenantChange): Promise<Tenant> {
    const before = this.get(id);
    const quotas = { ...before.quotas, ...change.quotas };
    const after = await this.update(id, { name: change.name, quotas });
    if (quotas.retentionDays !== before.quotas.retentionDays)
      await this.deps.applyRetention(id, quotas.retentionDays);
    await this.deps.cells.get(id)?.quotas.quotasChanged();
    return after;
  }

  async suspend(id: string): Promise<Tenant> {
    this.get(id);
    const after = await this.update(id, { status: 'suspended' });
    this.deps.endGatewaySessions(id, `its tenant ${id} was suspended`);
    this.deps.log.warn({ tenant: id }, 'tenant suspended: its gateways are refused, its data is kept');
    return after;
  }

  async resume(id: string): Promise<Tenant> {
    this.get(id);
    const after = await this.update(id, { status: 'active' });
    this.deps.log.info({ tenant: id }, 'tenant resumed');
    return after;
  }

  /** Deletes a tenant and everything it had; the record goes last, so a failure can be retried. */
  async remove(id: string): Promise<void> {
    // Refused from now on (the broker reads this record), so that no gateway reconnects meanwhile.
    this.records.set(id, { ...this.get(id), status: 'suspended' });
    this.deps.endGatewaySessions(id, `its tenant ${id} was deleted`);
    await this.deps.cells.stop(id);
    await this.deps.erase(id);
    await this.deps.store.remove(id);
    this.records.delete(id);
    this.deps.log.warn({ tenant: id }, 'tenant deleted with all its data');
  }

  private async update(id: string, change: Parameters<TenantStore['update']>[1]): Promise<Tenant> {
    const after = await this.deps.store.update(id, change);
    if (!after) throw new NotFoundError(`tenant ${id} not found`);
    this.records.set(id, after);
    return after;
  }
}
