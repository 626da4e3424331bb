import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import { SqliteAuditLog } from './access/audit.ts';
import { SqliteSessionStore } from './access/sessions.ts';
import { SqliteTokenStore } from './access/tokens.ts';
import { SqliteUserStore } from './access/users.ts';
import { SqliteAlertStore } from './alerts/sqlite-store.ts';
import { SqliteCommandStore } from './commands/store.ts';
import { SqliteDeadLetterStore } from './dead-letters/sqlite-store.ts';
import { SqliteGatewayConfigStore } from './gateway-config/sqlite-store.ts';
import { SqliteDeliveryLog } from './notifications/delivery-log.ts';
import { SqliteSentKeys } from './notifications/sent-keys.ts';
import { SqliteDatasetStore } from './open-data/sqlite-store.ts';
import { platformDbPath } from './platform-db.ts';
import { platformDbMigrations } from './platform-migrations.ts';
import { type SeenLog, startSeenLog } from './registry/seen-thread.ts';
import { SqliteRegistryStore } from './registry/sqlite-store.ts';
import { SqliteRuleStateStore } from './rules/sqlite-state.ts';
import { SqliteRuleStore } from './rules/sqlite-store.ts';
import { cloudDbMigrations } from './schema-migrations.ts';
import { sqliteDatabaseFeature } from './sqlite/database-feature.ts';
import type { StoresFeature } from './store-features.ts';
import type { CellStores, PlatformStores } from './stores.ts';
import { SqliteTenantStore } from './tenants/sqlite-store.ts';

/** The platform's stores in `platform.db`. */
export function sqlitePlatformStores(db: DatabaseSync): PlatformStores {
  return {
    users: new SqliteUserStore(db),
    tokens: new SqliteTokenStore(db),
    sessions: new SqliteSessionStore(db),
    tenants: new SqliteTenantStore(db),
    audit: new SqliteAuditLog(db),
    deadLetters: (options) => new SqliteDeadLetterStore(db, options),
  };
}

/** A tenant's stores in its `cloud.db` (and `seen.db`, written by `seen` when given). */
export function sqliteCellStores(db: DatabaseSync, seen?: SeenLog): CellStores {
  return {
    registry: new SqliteRegistryStore(db, seen),
    alerts: new SqliteAlertStore(db),
    rules: new SqliteRuleStore(db),
    ruleStates: new SqliteRuleStateStore(db),
    commands: new SqliteCommandStore(db),
    audit: new SqliteAuditLog(db),
    deadLetters: (options) => new SqliteDeadLetterStore(db, options),
    datasets: new SqliteDatasetStore(db),
    deliveries: new SqliteDeliveryLog(db),
    sentKeys: new SqliteSentKeys(db),
    gatewayConfigs: new SqliteGatewayConfigStore(db),
  };
}

/**
 * The embedded default: `DATA_DIR/platform.db` for the platform, `cloud.db` in each tenant's folder
 * for its cell, each opened at start and closed at stop. A deleted tenant's folder (and database
 * with it) is removed by `eraseTenant`.
 */
export function sqliteStoresFeature(dataDir: string, log: Logger): StoresFeature {
  const platform = sqliteDatabaseFeature({ path: platformDbPath(dataDir), migrations: platformDbMigrations });
  let stores: PlatformStores | undefined;
  return {
    name: 'platform database',
    get platform(): PlatformStores {
      if (!stores) throw new Error('the platform database is not open');
      return stores;
    },
    start() {
      platform.start();
      stores = sqlitePlatformStores(platform.db);
    },
    stop: () => platform.stop(),
    cell(_tenant, tenantDir) {
      const path = join(tenantDir, 'cloud.db');
      const database = sqliteDatabaseFeature({
        path,
        migrations: cloudDbMigrations,
        // Written all the time (the registry's flush, alerts, rule states): checkpointed beside the loop.
        checkpoints: {
          everyMs: 1_000,
          onFailure: (error) =>
            log.error({ err: error, path }, 'WAL checkpoints are back in the commits of the main thread'),
        },
      });
      let cell: CellStores | undefined;
      let seen: SeenLog | undefined;
      return {
        name: 'database',
        get stores(): CellStores {
          if (!cell) throw new Error(`database ${join(tenantDir, 'cloud.db')} is not open`);
          return cell;
        },
        async start() {
          database.start();
          const onMainThread = "the registry's seen state is written on the main thread";
          // The registry's flush of what its devices reported, written beside the loop; without the
          // thread (it did not start, or failed later) the registry writes seen.db itself.
          seen = await startSeenLog({
            path: join(tenantDir, 'seen.db'),
            devicesPath: path,
            onFailure: (error) => log.error({ err: error, path }, `${onMainThread} again`),
          }).catch((error: Error) => {
            log.error({ err: error, path }, onMainThread);
            return undefined;
          });
          try {
            cell = sqliteCellStores(database.db, seen);
          } catch (error) {
            await seen?.stop();
            await database.stop();
            throw error;
          }
        },
        async stop() {
          // After the registry's last flush (the stores stop last); its saves are written first.
          await seen?.stop();
          await database.stop();
        },
      };
    },
    dropTenant: async () => undefined,
  };
}
