import { type Tenant, type TenantQuotas, type TenantStatus, tenant } from './schema.ts';

export interface TenantUpdate {
  name?: string;
  status?: TenantStatus;
  quotas?: TenantQuotas;
}

/**
 * The tenants of the installation, in the platform database.
 * test/conformance/tenant-store.ts is the suite every store must pass.
 */
export interface TenantStore {
  /** By id. */
  list(): Promise<Tenant[]>;
  get(id: string): Promise<Tenant | undefined>;
  /** Throws ConflictError when the id is taken. */
  create(tenant: Tenant): Promise<Tenant>;
  /** The changed tenant, or undefined when there is none by this id. */
  update(id: string, change: TenantUpdate): Promise<Tenant | undefined>;
  /** Returns whether it existed. */
  remove(id: string): Promise<boolean>;
}

/** `current` with the fields `change` sets (those left undefined keep their value), validated. */
export function applied(current: Tenant, change: TenantUpdate): Tenant {
  const set = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
  return tenant.parse({ ...current, ...set });
}
