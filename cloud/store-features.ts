import type { Feature } from './lifecycle/features.ts';
import type { CellStores, PlatformStores } from './stores.ts';

/** A tenant cell's stores, opened when the cell starts and closed when it stops. */
export interface CellStoresFeature extends Feature {
  readonly stores: CellStores;
}

/**
 * Where the installation keeps its state, as the cloud process starts it: SQLite files under
 * DATA_DIR (cloud/sqlite-stores.ts) or one PostgreSQL database shared by the nodes
 * (DATABASE_URL, cloud/postgres-stores.ts).
 */
export interface StoresFeature extends Feature {
  /** The platform's stores (once started). */
  readonly platform: PlatformStores;
  /** The stores of one tenant's cell; `tenantDir` is its data folder. */
  cell(tenant: string, tenantDir: string): CellStoresFeature;
  /** Deletes a deleted tenant's stores (its cell stopped); what is in its data folder goes with the folder. */
  dropTenant(tenant: string): Promise<void>;
}
