import type { Logger } from 'pino';
import type { AuditLog } from './access/audit.ts';
import { PostgresAuditLog } from './access/postgres-audit.ts';
import { PostgresSessionStore } from './access/postgres-sessions.ts';
import { PostgresTokenStore } from './access/postgres-tokens.ts';
import { PostgresUserStore } from './access/postgres-users.ts';
import type { SessionStore } from './access/sessions.ts';
import type { TokenStore } from './access/tokens.ts';
import type { UserStore } from './access/users.ts';
import { PostgresAlertStore } from './alerts/postgres-store.ts';
import { PostgresCommandStore } from './commands/postgres-store.ts';
import type { CommandStore } from './commands/store.ts';
import { PostgresDeadLetterStore } from './dead-letters/postgres-store.ts';
import type { DeadLetterStore, DeadLetterStoreOptions } from './dead-letters/store.ts';
import { PostgresDatasetStore } from './open-data/postgres-store.ts';
import type { DatasetStore } from './open-data/store.ts';
import { PostgresDatabase } from './postgres/database.ts';
import { PostgresRegistryStore } from './registry/postgres-store.ts';
import type { RegistryStore } from './registry/store.ts';
import { PostgresRuleStateStore } from './rules/postgres-state.ts';
import { PostgresRuleStore } from './rules/postgres-store.ts';
import type { RuleStore } from './rules/store.ts';
import { PostgresTenantStore } from './tenants/postgres-store.ts';
import type { TenantStore } from './tenants/store.ts';

/** The installation's stores (the `platform` schema). */
export interface PlatformStores {
  users: UserStore;
  tokens: TokenStore;
  sessions: SessionStore;
  tenants: TenantStore;
  /** The region's audit log. */
  audit: AuditLog;
  /** Letters of no tenant (refused before their tenant was known). */
  deadLetters(options: DeadLetterStoreOptions): DeadLetterStore;
}

/** One tenant's stores (its schema `t_<id>`). */
export interface TenantStores {
  registry: RegistryStore;
  /** Answers open alerts and rule state from memory: see their doc comments for two nodes. */
  alerts: PostgresAlertStore;
  rules: RuleStore;
  ruleStates: PostgresRuleStateStore;
  commands: CommandStore;
  audit: AuditLog;
  deadLetters(options: DeadLetterStoreOptions): DeadLetterStore;
  /** Its open datasets and catalogue settings. */
  datasets: DatasetStore;
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
      };
    },
    dropTenant: (id) => database.dropTenant(id),
    close: () => database.close(),
  };
}
