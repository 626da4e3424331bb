import { join } from 'node:path';
import type { Logger } from 'pino';
import { type Clock, realMs } from '../shared/clock.ts';
import type { CellSharing } from './cluster/cell-sharing.ts';
import type { RulesPartitionHandle, RulesPartitionParts } from './cluster/rules-partition.ts';
import { commandsFeature } from './commands/feature.ts';
import type { CommandRecord } from './commands/store.ts';
import type { CloudConfig } from './config.ts';
import { snapshotsFeature } from './dashboards/snapshots-feature.ts';
import { deadLettersFeature } from './dead-letters/feature.ts';
import type { DeadLetterIntake } from './dead-letters/intake.ts';
import { gatewayConfigFeature } from './gateway-config/feature.ts';
import { Ingestor } from './ingest/ingest.ts';
import { type Feature, startFeatures } from './lifecycle/features.ts';
import { liveFeature } from './live/feature.ts';
import { Counters } from './monitoring/counters.ts';
import { notificationsFeature } from './notifications/feature.ts';
import { openDataPart } from './open-data/part.ts';
import { registryFeature } from './registry/feature.ts';
import { retainedStores } from './retained-stores.ts';
import { retentionFeature } from './retention/pruning.ts';
import { rollupsFeature } from './rollups/feature.ts';
import { rollupSources } from './rollups/sources.ts';
import { alertingFeature } from './rules/feature.ts';
import type { CellJournal } from './storage/cell-journal.ts';
import { type StorageFeatureDeps, storageFeature } from './storage/feature.ts';
import type { InfluxConnection } from './storage/influx.ts';
import { prepareInBackground } from './storage/influx-setup.ts';
import type { CellStoresFeature } from './store-features.ts';
import { tenantAlertTopic } from './tenants/alert-topics.ts';
import type { TenantCell } from './tenants/cell-parts.ts';
import { tenantDatabase } from './tenants/database-name.ts';
import type { TenantPaths } from './tenants/paths.ts';
import { quotaGuard } from './tenants/quotas.ts';
import type { Tenant } from './tenants/schema.ts';

export interface TenantCellDeps {
  config: CloudConfig;
  /** The tenant's record as it is now (its quotas and status change while the cell runs). */
  tenant: () => Tenant;
  paths: TenantPaths;
  /** Its stores (its SQLite `cloud.db`, or its PostgreSQL schema): opened first, closed last. */
  stores: CellStoresFeature;
  log: Logger;
  /** The installation's counters: the cell's own count into them too. */
  counters: Counters;
  /** The installation's InfluxDB; the cell writes and reads its own database there. */
  influx: InfluxConnection;
  clock: Clock;
  /** Publishes to one of this tenant's gateways (the platform checks that it is one); never throws. */
  send: (topic: string, body: object, retain?: boolean) => void;
  /** Publishes on the broker, for the MQTT notification channel: topics under the tenant's prefix only. */
  publish: (topic: string, payload: string) => Promise<void>;
  /** Its gateways connected now, and its accepted MQTT messages per second (for its quotas and usage). */
  mqtt: { connectedGateways(): ReadonlySet<string>; messagesPerSecond(): number };
  onFatal?: (error: Error) => void;
  /**
   * The tenant's journal in cluster mode (the shared JetStream stream, cloud/cluster/); without it
   * the cell has its own SQLite journal drained by its storage thread (the embedded default).
   */
  sharedJournal?: (parts: { counters: Counters; log: Logger; now: () => Date }) => CellJournal;
  /** Cluster mode: hands a command to the node holding its gateway (cloud/cluster/command-relay.ts). */
  forwardCommand?: (record: CommandRecord) => Promise<boolean>;
  /**
   * Cluster mode: the tenant's rules evaluated by one node at a time, on every node's readings
   * (cloud/cluster/rules-partition.ts); without it the cell evaluates what it ingests.
   */
  rulesPartition?: (parts: RulesPartitionParts) => Feature & RulesPartitionHandle;
  /** Cluster mode: its live events and registry saves shared with the other nodes (cloud/cluster/cell-sharing.ts). */
  sharing?: CellSharing;
}

/**
 * Starts one tenant's part of the cloud (see `TenantCell`): its own stores, journal,
 * InfluxDB database, registry, rules, alerts, notifications, commands, dead letters, audit log and
 * live data. Nothing in a cell reaches another tenant's: the platform (broker, API) hands each cell
 * only what belongs to it.
 */
export async function startTenantCell(deps: TenantCellDeps): Promise<TenantCell> {
  const { config, paths, clock, send } = deps;
  const id = deps.tenant().id;
  const log = deps.log.child({ tenant: id });
  const now = clock.now;
  const counters = new Counters(deps.counters);
  const influx = deps.influx.withDatabase(tenantDatabase(config.INFLUX_DATABASE, id));
  const preparing = await prepareInBackground(influx, deps.tenant().quotas.retentionDays, log);
  const { value, stop } = await startFeatures(log, async (start) => {
    const { stores } = await start(deps.stores);
    const { registry } = await start(
      registryFeature({
        store: stores.registry,
        fleetDir: paths.fleetDir,
        offlineAfterMs: config.DEVICE_OFFLINE_AFTER_S * 1000,
        learnUnprovisioned: config.LEARN_UNPROVISIONED_DEVICES,
        city: () => deps.tenant(),
        quotas: () => deps.tenant().quotas,
        counters,
        now,
        log,
        onSaved: deps.sharing?.registrySaved,
      }),
    );
    const live = liveFeature({
      registry,
      log,
      sweepMs: config.DEVICE_STATE_SWEEP_S * 1000,
      openAlerts: () => alerting.alertStore.allOpen(),
    });
    const { store: deadLetters, intake } = await start(
      deadLettersFeature({
        open: stores.deadLetters,
        quotaBytes: config.DEAD_LETTER_QUOTA_BYTES,
        totalQuotaBytes: () => deps.tenant().quotas.deadLetterBytes,
        rawTtlMs: config.DEAD_LETTER_RAW_TTL_H * 3_600_000,
        counters,
        log,
        now,
      }),
    );
    const rollups = await start(
      rollupsFeature({
        // In cluster mode the storage workers mark and compute them (cloud/cluster/rollup-leader.ts).
        enabled: config.ROLLUPS_ENABLED && !deps.sharedJournal,
        path: join(paths.dataDir, 'rollups.db'),
        influx,
        registry,
        sources: rollupSources,
        rawRetentionDays: () => deps.tenant().quotas.retentionDays,
        retentionDays: config.ROLLUP_RETENTION_DAYS,
        intervalMs: realMs(clock, config.ROLLUP_INTERVAL_S * 1000),
        batchHours: 48,
        now,
        log,
      }),
    );
    const { journal } = await start(
      journalFeature(deps, {
        path: join(paths.dataDir, 'journal.db'),
        influx,
        intake,
        counters,
        log,
        written: rollups.written,
      }),
    );
    const points = { write: (lines: string[]) => journal.append({ lines }) };
    const notifications = await start(
      notificationsFeature({
        channelsFile: paths.notificationsFile,
        stores: { deliveries: stores.deliveries, sent: stores.sentKeys },
        log,
        counters,
        now,
        publish: deps.publish,
        alertTopic: tenantAlertTopic(id),
      }),
    );
    let partition: RulesPartitionHandle | undefined;
    const alerting = await start(
      alertingFeature({
        stores,
        registry,
        points,
        notifier: notifications.notifier,
        counters,
        log,
        now,
        rulesDir: paths.rulesDir,
        kindRulesDir: config.KIND_RULES_DIR,
        tickMs: realMs(clock, config.RULES_TICK_S * 1000),
        digestCron: config.DIGEST_CRON,
        clock,
        onAlertChange: (transition, alert) => live.bus.emit('alert', { transition, alert }),
        evaluates: deps.rulesPartition && (() => partition?.owns() ?? false),
        onRulesChanged: () => partition?.changed(),
      }),
    );
    if (deps.rulesPartition)
      partition = await start(deps.rulesPartition({ rules: alerting, registry, counters, log }));
    const commands = await start(
      commandsFeature({
        store: stores.commands,
        counters,
        log,
        now,
        send,
        onChange: (record) => live.bus.emit('command', record),
        forward: deps.forwardCommand,
      }),
    );
    await start(live);
    if (deps.sharing) await start(deps.sharing.joining({ registry, bus: live.bus }));
    const ingestor = new Ingestor({
      registry,
      deadLetters: intake,
      journal,
      counters,
      log,
      now,
      maxAgeMs: config.MAX_READING_AGE_S * 1000,
      maxSkewMs: config.MAX_CLOCK_SKEW_S * 1000,
      onCommandResult: (gatewayId, result) => commands.service.result(gatewayId, result),
      // In cluster mode the rules read every node's readings from the journal instead.
      onAccepted: partition ? () => undefined : (accepted) => alerting.evaluate(accepted),
    });
    const { configs } = await start(gatewayConfigFeature({ store: stores.gatewayConfigs, send }));
    await start(
      snapshotsFeature({
        registry,
        journal,
        influx,
        counters,
        log,
        now,
        mqttClients: () => deps.mqtt.connectedGateways().size,
        deviceEveryMs: realMs(clock, config.STATUS_SNAPSHOT_S * 1000),
        platformEveryMs: realMs(clock, config.PLATFORM_STATS_S * 1000),
      }),
    );
    const { audit } = stores;
    await start(
      retentionFeature({
        cron: config.PRUNE_CRON,
        timezone: registry.city?.timezone ?? 'UTC',
        log,
        now,
        clock,
        stores: retainedStores(config, {
          alerts: alerting.alertStore,
          ruleStates: alerting.ruleStates,
          commands: commands.store,
          audit,
          deadLetters,
          deliveries: notifications.stores.deliveries,
          sentKeys: notifications.stores.sent,
        }),
      }),
    );
    const openData = openDataPart({
      store: stores.datasets,
      reader: rollups.reader,
      tenant: id,
      name: () => deps.tenant().name,
      timezone: () => deps.tenant().timezone,
      devicesIn: (district) => registry.findDevices({ district }),
      now,
    });
    return {
      registry,
      live,
      deadLetters,
      intake,
      journal,
      alerting,
      commands,
      configs,
      audit,
      ingestor,
      openData,
      rollups: {
        reader: rollups.reader,
        enabled: config.ROLLUPS_ENABLED,
        settle: () => rollups.settle(),
      },
    };
  });
  const quotas = quotaGuard({
    tenant: deps.tenant,
    registry: value.registry,
    deadLetters: value.deadLetters,
    counters,
    mqtt: deps.mqtt,
    log,
  });
  return {
    id,
    tenant: deps.tenant,
    log,
    counters,
    influx,
    quotas,
    ...value,
    connectedGateways: () => deps.mqtt.connectedGateways().size,
    async stop(): Promise<void> {
      preparing.stop();
      await stop();
    },
  };
}

/** The cell's journal: the shared one in cluster mode, else its own SQLite journal and storage thread. */
function journalFeature(
  deps: TenantCellDeps,
  parts: {
    path: string;
    influx: InfluxConnection;
    intake: DeadLetterIntake;
    counters: Counters;
    log: Logger;
    /** The rollups' marker of written hours (only the cell's own storage thread reports them). */
    written: StorageFeatureDeps['written'];
  },
): Feature & { readonly journal: CellJournal } {
  const { config } = deps;
  const { counters, log } = parts;
  const now = deps.clock.now;
  if (deps.sharedJournal) {
    const journal = deps.sharedJournal({ counters, log, now });
    return { name: 'journal', journal, start: () => undefined, stop: () => journal.stop() };
  }
  const storage = storageFeature({
    path: parts.path,
    maxLines: config.JOURNAL_MAX_LINES,
    keyTtlMs: config.DEDUPE_WINDOW_S * 1000,
    influx: parts.influx,
    drain: {
      batchLines: config.INFLUX_BATCH_SIZE,
      concurrency: config.INFLUX_WRITE_CONCURRENCY,
      lingerMs: config.INFLUX_WRITE_LINGER_MS,
      minRetryMs: 500,
      maxRetryMs: 30_000,
    },
    counters,
    log,
    now,
    onRejected: parts.intake.storageRejected,
    written: parts.written,
    onFatal: deps.onFatal,
  });
  return {
    name: storage.name,
    get journal(): CellJournal {
      return storage.journal;
    },
    start: () => storage.start(),
    stop: () => storage.stop(),
  };
}
