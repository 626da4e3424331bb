import type { Logger } from 'pino';
import { PostgresAuditLog } from './access/postgres-audit.ts';
import { PostgresSessionStore } from './access/postgres-sessions.ts';
import { PostgresTokenStore } from './access/postgres-tokens.ts';
import { PostgresUserStore } from './access/postgres-users.ts';
import { PostgresAlertStore } from './alerts/postgres-store.ts';
import { PostgresCommandStore } from './commands/postgres-store.ts';
import { PostgresDeadLetterStore } from './dead-letters/postgres-store.ts';
import { PostgresGatewayConfigStore } from './gateway-config/postgres-store.ts';
import { PostgresDeliveryLog } from './notifications/postgres-delivery-log.ts';
import { PostgresSentKeys } from './notifications/postgres-sent-keys.ts';
import { PostgresDatasetStore } from './open-data/postgres-store.ts';
import { PostgresDatabase, redacted } from './postgres/database.ts';
import { PostgresRegistryStore } from './registry/postgres-store.ts';
import { PostgresRuleStateStore } from './rules/postgres-state.ts';
import { PostgresRuleStore } from './rules/postgres-store.ts';
import type { StoresFeature } from './store-features.ts';
import type { CellStores, PlatformStores } from './stores.ts';
import { PostgresTenantStore } from './tenants/postgres-store.ts';

/** One tenant's stores (its schema `t_<id>`). */
export interface TenantStores extends CellStores {
  /** Answers open alerts and rule state from memory: see their doc comments for two nodes. */
  alerts: PostgresAlertStore;
  ruleStates: PostgresRuleStateStore;
}

export interface PostgresStores {
  database: PostgresDatabase;
  platform: PlatformStores;
  /** Creates the tenant's schema if need be, migrates it, and opens its stores. */
  tenant(id: string): Promise<TenantStores>;
  /** Deletes the tenant's schema with every store in it (DROP SCHEMA … CASCADE); its platform rows are the tenant service's. */
  dropTenant(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Every store of cluster mode on one PostgreSQL database (DATABASE_URL): the entry point a cluster
 * node uses instead of the SQLite files. Connecting migrates the platform schema; `tenant(id)`
 * migrates that tenant's. docs/scale-out.md says what two nodes on these stores see of each other.
 */
export async function openPostgresStores(
  url: string,
  options: { log?: Logger; max?: number } = {},
): Promise<PostgresStores> {
  const database = await PostgresDatabase.connect(url, options);
  const platform = await database.platform();
  return {
    database,
    platform: {
      users: new PostgresUserStore(platform),
      tokens: new PostgresTokenStore(platform),
      sessions: new PostgresSessionStore(platform),
      tenants: new PostgresTenantStore(platform),
      audit: new PostgresAuditLog(platform),
      deadLetters: (letterOptions) => new PostgresDeadLetterStore(platform, letterOptions),
    },
    async tenant(id) {
      const schema = await database.tenant(id);
      return {
        registry: new PostgresRegistryStore(schema),
        alerts: await PostgresAlertStore.open(schema),
        rules: new PostgresRuleStore(schema),
        ruleStates: await PostgresRuleStateStore.open(schema),
        commands: new PostgresCommandStore(schema),
        audit: new PostgresAuditLog(schema),
        deadLetters: (letterOptions) => new PostgresDeadLetterStore(schema, letterOptions),
        datasets: new PostgresDatasetStore(schema),
        deliveries: new PostgresDeliveryLog(schema),
        sentKeys: new PostgresSentKeys(schema),
        gatewayConfigs: new PostgresGatewayConfigStore(schema),
      };
    },
    dropTenant: (id) => database.dropTenant(id),
    close: () => database.close(),
  };
}

/**
 * Cluster mode's stores as the cloud process starts them: connected (and the platform schema
 * migrated) at start, each tenant's schema opened when its cell starts, the pool ended at stop.
 */
export function postgresStoresFeature(url: string, log: Logger): StoresFeature {
  let stores: PostgresStores | undefined;
  const running = () => {
    if (!stores) throw new Error(`PostgreSQL at ${redacted(url)} is not connected`);
    return stores;
  };
  return {
    name: 'PostgreSQL stores',
    get platform(): PlatformStores {
      return running().platform;
    },
    async start() {
      stores = await openPostgresStores(url, { log });
    },
    stop: () => stores?.close(),
    cell(tenant) {
      let cell: TenantStores | undefined;
      return {
        name: 'stores',
        get stores(): CellStores {
          if (!cell) throw new Error(`the stores of tenant ${tenant} are not open`);
          return cell;
        },
        async start() {
          cell = await running().tenant(tenant);
        },
        // Stopped after the cell's other features: the alerts and rule state they wrote behind go in.
        async stop() {
          await Promise.all([cell?.alerts.settled(), cell?.ruleStates.settled()]);
        },
      };
    },
    async dropTenant(tenant) {
      await running().dropTenant(tenant);
    },
  };
}
