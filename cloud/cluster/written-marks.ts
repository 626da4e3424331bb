import type { PgSchema } from '../postgres/schema-name.ts';
import { PostgresDirtyHourStore } from '../rollups/postgres-dirty-hours.ts';
import { writtenHours } from '../storage/written-hours.ts';

export interface WrittenMarksDeps {
  /** A tenant's schema, migrated (PostgresDatabase.tenant). */
  schemaOf: (tenant: string) => Promise<PgSchema>;
  /** The measurements rolled up (cloud/rollups/sources.ts `rollupSources`). */
  measurements: readonly string[];
  now: () => Date;
}

/**
 * Cluster mode's seam between storage and rollups (the single node's is `written` of
 * storage/journal-drainer.ts): once InfluxDB confirmed a tenant's batches, the storage worker marks
 * the (measurement, hour) pairs they wrote into as dirty in the tenant's PostgreSQL schema, and only
 * then acknowledges them to JetStream. A worker that dies in between leaves the batches to be
 * delivered again, written again (idempotent) and marked then. Every batch marks its hours: with
 * several workers no one of them knows when the leader took an hour, so none may skip a mark.
 */
export class WrittenMarks {
  private readonly deps: WrittenMarksDeps;
  private readonly watched: ReadonlySet<string>;
  private readonly stores = new Map<string, Promise<PostgresDirtyHourStore>>();

  constructor(deps: WrittenMarksDeps) {
    this.deps = deps;
    this.watched = new Set(deps.measurements);
  }

  async mark(tenant: string, records: readonly string[]): Promise<void> {
    const hours = writtenHours(records, this.watched, this.deps.now().getTime());
    if (hours.length === 0) return;
    await (await this.storeOf(tenant)).mark(hours);
  }

  private storeOf(tenant: string): Promise<PostgresDirtyHourStore> {
    let store = this.stores.get(tenant);
    if (!store) {
      store = this.deps.schemaOf(tenant).then((schema) => new PostgresDirtyHourStore(schema));
      // A failure (PostgreSQL away) is not kept: the next batch tries again.
      store.catch(() => this.stores.delete(tenant));
      this.stores.set(tenant, store);
    }
    return store;
  }
}
