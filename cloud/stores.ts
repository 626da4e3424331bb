import type { AuditLog } from './access/audit.ts';
import type { SessionStore } from './access/sessions.ts';
import type { TokenStore } from './access/tokens.ts';
import type { UserStore } from './access/users.ts';
import type { AlertStore } from './alerts/store.ts';
import type { CommandStore } from './commands/store.ts';
import type { DeadLetterStore, DeadLetterStoreOptions } from './dead-letters/store.ts';
import type { GatewayConfigStore } from './gateway-config/store.ts';
import type { DeliveryLog } from './notifications/delivery-log.ts';
import type { SentKeys } from './notifications/sent-keys.ts';
import type { DatasetStore } from './open-data/store.ts';
import type { RegistryStore } from './registry/store.ts';
import type { RuleStateStore } from './rules/state.ts';
import type { RuleStore } from './rules/store.ts';
import type { TenantStore } from './tenants/store.ts';

/**
 * The installation's stores: SQLite's `platform.db` (the embedded default, cloud/sqlite-stores.ts) or
 * PostgreSQL's `platform` schema (DATABASE_URL, cloud/postgres-stores.ts).
 */
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

/**
 * One tenant's stores: its SQLite `cloud.db` or its PostgreSQL schema `t_<id>`. Every feature of a
 * tenant cell takes the stores it uses from here, never a database handle.
 */
export interface CellStores {
  registry: RegistryStore;
  alerts: AlertStore;
  rules: RuleStore;
  ruleStates: RuleStateStore;
  commands: CommandStore;
  audit: AuditLog;
  deadLetters(options: DeadLetterStoreOptions): DeadLetterStore;
  /** Its open datasets and catalogue settings. */
  datasets: DatasetStore;
  /** Webhook deliveries and the keys of notifications sent. */
  deliveries: DeliveryLog;
  sentKeys: SentKeys;
  gatewayConfigs: GatewayConfigStore;
}
