import type { DatabaseSync } from 'node:sqlite';
import { SqliteAuditLog } from '../../cloud/access/audit.ts';
import { SqliteAlertStore } from '../../cloud/alerts/sqlite-store.ts';
import { SqliteCommandStore } from '../../cloud/commands/store.ts';
import { SqliteDeadLetterStore } from '../../cloud/dead-letters/sqlite-store.ts';
import { SqliteGatewayConfigStore } from '../../cloud/gateway-config/sqlite-store.ts';
import { SqliteDeliveryLog } from '../../cloud/notifications/delivery-log.ts';
import { SqliteSentKeys } from '../../cloud/notifications/sent-keys.ts';
import { SqliteDatasetStore } from '../../cloud/open-data/sqlite-store.ts';
import { SqliteRegistryStore } from '../../cloud/registry/sqlite-store.ts';
import { SqliteRuleStateStore } from '../../cloud/rules/sqlite-state.ts';
import { SqliteRuleStore } from '../../cloud/rules/sqlite-store.ts';

/** The stores of a tenant's database: each creates its tables when it is made. */
const stores: ((db: DatabaseSync) => unknown)[] = [
  (db) => new SqliteRegistryStore(db),
  (db) => new SqliteGatewayConfigStore(db),
  (db) => new SqliteRuleStore(db),
  (db) => new SqliteRuleStateStore(db),
  (db) => new SqliteAlertStore(db),
  (db) => new SqliteCommandStore(db),
  (db) => new SqliteAuditLog(db),
  (db) => new SqliteDeadLetterStore(db),
  (db) => new SqliteDeliveryLog(db),
  (db) => new SqliteSentKeys(db),
  (db) => new SqliteDatasetStore(db),
];

/**
 * Creates the tables of a tenant's database as this release's stores make them: an import writes
 * into the schema the cloud will read, not into one the export brought.
 */
export function createStoreTables(db: DatabaseSync): void {
  for (const make of stores) make(db);
}
