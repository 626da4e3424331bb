import type { Logger } from 'pino';
import type { TenantCell } from './cell-parts.ts';
import type { Tenant } from './schema.ts';

/**
 * The running cells, one per tenant: started at the cloud's start for every tenant, and later as
 * tenants are created; stopped as they are deleted and at the cloud's stop.
 */
export class TenantCells {
  private readonly cells = new Map<string, TenantCell>();
  private readonly startCell: (tenant: Tenant) => Promise<TenantCell>;
  private readonly log: Logger;

  constructor(deps: { startCell: (tenant: Tenant) => Promise<TenantCell>; log: Logger }) {
    this.startCell = deps.startCell;
    this.log = deps.log;
  }

  get(id: string): TenantCell | undefined {
    return this.cells.get(id);
  }

  /** By tenant id. */
  all(): TenantCell[] {
    return [...this.cells.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async start(tenant: Tenant): Promise<TenantCell> {
    if (this.cells.has(tenant.id)) throw new Error(`tenant ${tenant.id} is already running`);
    const cell = await this.startCell(tenant);
    this.cells.set(tenant.id, cell);
    this.log.info({ tenant: tenant.id, devices: cell.registry.size }, 'tenant started');
    return cell;
  }

  /** Stops a tenant's cell (its journal drained as far as InfluxDB takes it); nothing if it is not running. */
  async stop(id: string): Promise<void> {
    const cell = this.cells.get(id);
    if (!cell) return;
    this.cells.delete(id);
    await cell.stop();
  }

  /** Stops every cell, each even if another failed. */
  async stopAll(): Promise<void> {
    for (const cell of this.all()) {
      try {
        await this.stop(cell.id);
      } catch (error) {
        this.log.error({ err: error, tenant: cell.id }, 'stopping the tenant failed');
      }
    }
  }
}
