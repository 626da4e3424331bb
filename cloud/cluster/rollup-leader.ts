import type pg from 'pg';
import type { Logger } from 'pino';
import { cellOf } from '../geo/cells.ts';
import type { PgSchema } from '../postgres/schema-name.ts';
import { PostgresRegistryStore } from '../registry/postgres-store.ts';
import { DirtyMarker } from '../rollups/dirty-marker.ts';
import { PostgresDirtyHourStore } from '../rollups/postgres-dirty-hours.ts';
import { ensureRollupPolicy, rollupPolicy } from '../rollups/rollup-policy.ts';
import { RollupTask } from '../rollups/rollup-task.ts';
import type { RollupSource } from '../rollups/sources.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import { tenantDatabase } from '../tenants/database-name.ts';
import type { Tenant } from '../tenants/schema.ts';

export interface RollupLeaderDeps {
  /** The installation's PostgreSQL: one connection of it holds the leader's lock. */
  pool: pg.Pool;
  /** The installation's InfluxDB: each tenant's rollups are in its own database there. */
  influx: InfluxConnection;
  /** The tenants, as the platform schema has them now. */
  tenants: () => Promise<Tenant[]>;
  /** A tenant's schema, migrated (PostgresDatabase.tenant). */
  schemaOf: (tenant: string) => Promise<PgSchema>;
  sources: readonly RollupSource[];
  /** ROLLUP_RETENTION_DAYS. */
  retentionDays: number;
  /** Pause between passes once nothing is dirty. */
  intervalMs: number;
  batchHours: number;
  now: () => Date;
  log: Logger;
}

/** The session-level advisory lock whose holder computes the rollups of every tenant. */
export const leaderLockKey = 'city-rollups-leader';

interface TenantRollups {
  task: RollupTask;
  influx: InfluxConnection;
  tenant: Tenant;
  zones: Map<string, string>;
  prepared: boolean;
}

/**
 * Cluster mode's rollup task, run in exactly one storage worker: the one holding a PostgreSQL
 * session advisory lock. Each pass computes every active tenant's dirty hours (marked by all workers,
 * cluster/written-marks.ts), with the device zones of the tenant's registry and its time zone and raw
 * retention from its record. The lock goes with its connection: a worker that dies, or loses
 * PostgreSQL, lets another take over at its next pass. Until the old leader notices, both may compute
 * the same hours; recomputing is idempotent and a mark is cleared only by its own seq, so that costs
 * work, not correctness.
 */
export class RollupLeader {
  private readonly deps: RollupLeaderDeps;
  private readonly tenants = new Map<string, TenantRollups>();
  private lock?: pg.PoolClient;
  private stopped = false;
  private loop?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;

  constructor(deps: RollupLeaderDeps) {
    this.deps = deps;
  }

  /** Whether this worker holds the lock (computes the rollups). */
  get leading(): boolean {
    return this.lock !== undefined;
  }

  start(): void {
    this.loop = this.run();
  }

  /**
   * Takes the lock if free and, holding it, computes every tenant's dirty hours until none is left.
   * Returns whether this worker led.
   */
  async pass(): Promise<boolean> {
    if (!(await this.hold())) return false;
    for (const tenant of await this.deps.tenants()) {
      if (tenant.status !== 'active') continue;
      const rollups = await this.rollupsOf(tenant);
      while (!this.stopped && (await rollups.task.round()) > 0);
    }
    return true;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pass();
      } catch (error) {
        this.deps.log.warn({ err: error }, 'rollups: pass failed; trying again later');
        this.release();
      }
      if (!this.stopped)
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, this.deps.intervalMs);
        });
    }
  }

  /** Whether the lock is held: checked on its connection (a lost one is let go), else tried. */
  private async hold(): Promise<boolean> {
    if (this.lock) {
      try {
        await this.lock.query('SELECT 1');
        return true;
      } catch {
        this.deps.log.warn('rollups: the connection holding the leader lock is lost; giving the lead up');
        this.release();
      }
    }
    const client = await this.deps.pool.connect();
    client.on('error', () => undefined);
    const { rows } = await client
      .query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [leaderLockKey])
      .catch((error) => {
        client.release(true);
        throw error;
      });
    if (!rows[0]?.ok) {
      client.release();
      return false;
    }
    this.lock = client;
    this.deps.log.info('rollups: this worker leads (computes every tenant’s rollups)');
    return true;
  }

  /** Lets the lead go: the connection is closed, not given back to the pool (it would keep its session lock). */
  private release(): void {
    this.lock?.release(true);
    this.lock = undefined;
  }

  private async rollupsOf(tenant: Tenant): Promise<TenantRollups> {
    const { deps } = this;
    let rollups = this.tenants.get(tenant.id);
    const schema = await deps.schemaOf(tenant.id);
    if (!rollups) {
      const influx = deps.influx.withDatabase(tenantDatabase(deps.influx.settings.database, tenant.id));
      const store = new PostgresDirtyHourStore(schema);
      const zones = new Map<string, string>();
      const log = deps.log.child({ tenant: tenant.id });
      const entry: TenantRollups = {
        tenant,
        influx,
        zones,
        prepared: false,
        task: new RollupTask({
          influx,
          store,
          marker: new DirtyMarker(store),
          sources: deps.sources,
          policy: rollupPolicy,
          timeZone: () => entry.tenant.timezone,
          zoneOf: (id) => zones.get(id),
          rawRetentionDays: () => entry.tenant.quotas.retentionDays,
          batchHours: deps.batchHours,
          now: deps.now,
          log,
        }),
      };
      rollups = entry;
      this.tenants.set(tenant.id, entry);
    }
    rollups.tenant = tenant;
    // The devices' places as the registry has them now: the zone of each device's rollups.
    rollups.zones.clear();
    for (const device of await new PostgresRegistryStore(schema).loadDevices())
      if (device.location) rollups.zones.set(device.id, cellOf(device.location));
    if (!rollups.prepared) {
      await ensureRollupPolicy(rollups.influx, deps.retentionDays, deps.log);
      await rollups.task.backfill();
      rollups.prepared = true;
    }
    return rollups;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    this.release();
  }
}
