import { join } from 'node:path';
import type { Logger } from 'pino';
import { type Clock, realMs, wallClock } from '../shared/clock.ts';
import { SqliteAuditLog } from './access/audit.ts';
import { apiFeature } from './api/feature.ts';
import { brokerFeature, mqttListenersFeature, type NamedListener } from './broker/feature.ts';
import { GatewayOutbound } from './broker/outbound.ts';
import { commandsFeature } from './commands/feature.ts';
import type { CloudConfig } from './config.ts';
import { snapshotsFeature } from './dashboards/snapshots-feature.ts';
import { deadLettersFeature } from './dead-letters/feature.ts';
import { gatewayConfigFeature } from './gateway-config/feature.ts';
import { Ingestor } from './ingest/ingest.ts';
import { startFeatures } from './lifecycle/features.ts';
import { liveFeature } from './live/feature.ts';
import { Counters } from './monitoring/counters.ts';
import { notificationsFeature } from './notifications/feature.ts';
import { registryFeature } from './registry/feature.ts';
import { retainedStores } from './retained-stores.ts';
import { retentionFeature } from './retention/pruning.ts';
import { alertingFeature } from './rules/feature.ts';
import { cloudDbMigrations } from './schema-migrations.ts';
import { sqliteDatabaseFeature } from './sqlite/database-feature.ts';
import { storageFeature } from './storage/feature.ts';
import type { InfluxConnection } from './storage/influx.ts';
import type { StorageThread } from './storage/storage-thread.ts';

export interface CloudDependencies {
  config: CloudConfig;
  log: Logger;
  influx: InfluxConnection;
  /**
   * The time the cloud reads (the wall clock by default). The demo in fast time gives it the devices'
   * simulated clock: timestamps, durations, rule ticks, schedules, snapshots and jobs follow it.
   */
  clock?: Clock;
  /**
   * Storage can no longer make messages durable (a flush to disk failed, or its thread died). The
   * cloud keeps answering /health ("failing") but acknowledges nothing; `cloud/main.ts` exits so that
   * the supervisor restarts it and SQLite recovers the journal from what is on disk.
   */
  onFatal?: (error: Error) => void;
}

interface Running {
  journal: StorageThread;
  mqttPorts: Record<string, number>;
  httpPort: number;
  stop: () => Promise<void>;
}

/** The MQTT listeners the configuration asks for: plain TCP always, TLS and WebSocket when set. */
function mqttListeners(config: CloudConfig): NamedListener[] {
  const host = config.MQTT_HOST;
  const listeners: NamedListener[] = [
    { name: 'mqtt', variable: 'MQTT_PORT', spec: { kind: 'tcp', port: config.MQTT_PORT, host } },
  ];
  if (config.MQTTS_PORT !== undefined) {
    const files = {
      cert: config.MQTT_TLS_CERT as string,
      key: config.MQTT_TLS_KEY as string,
      ca: config.MQTT_TLS_CA,
    };
    listeners.push({
      name: 'mqtts',
      variable: 'MQTTS_PORT',
      spec: { kind: 'tls', port: config.MQTTS_PORT, host, files },
    });
  }
  if (config.MQTT_WS_PORT !== undefined)
    listeners.push({
      name: 'ws',
      variable: 'MQTT_WS_PORT',
      spec: { kind: 'ws', port: config.MQTT_WS_PORT, host },
    });
  return listeners;
}

/**
 * The cloud process: the composition root. Each feature is built by its factory from what it uses,
 * started in this order, and stopped in reverse (points not yet in InfluxDB stay in the journal);
 * if one fails to start, those started before it are stopped.
 */
export class Cloud {
  readonly counters = new Counters();
  private readonly deps: CloudDependencies;
  private running?: Running;

  constructor(deps: CloudDependencies) {
    this.deps = deps;
  }

  get mqttPort(): number {
    return this.require().mqttPorts.mqtt as number;
  }

  get httpPort(): number {
    return this.require().httpPort;
  }

  /** Every MQTT listener's bound port: mqtt, and mqtts and ws when enabled. */
  get mqttPorts(): Record<string, number> {
    return this.require().mqttPorts;
  }

  private require(): Running {
    if (!this.running) throw new Error('cloud is not started');
    return this.running;
  }

  async start(): Promise<void> {
    const { config, log, influx, onFatal } = this.deps;
    const clock = this.deps.clock ?? wallClock;
    const now = clock.now;
    const counters = this.counters;
    const outbound = new GatewayOutbound(log);
    const send = (topic: string, body: object, retain = false) => outbound.send(topic, body, retain);
    const { value, stop } = await startFeatures(log, async (start) => {
      const { db } = await start(
        sqliteDatabaseFeature({ path: join(config.DATA_DIR, 'cloud.db'), migrations: cloudDbMigrations }),
      );
      const { registry } = await start(
        registryFeature({
          db,
          fleetDir: config.FLEET_DIR,
          offlineAfterMs: config.DEVICE_OFFLINE_AFTER_S * 1000,
          learnUnprovisioned: config.LEARN_UNPROVISIONED_DEVICES,
          now,
          log,
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
          db,
          quotaBytes: config.DEAD_LETTER_QUOTA_BYTES,
          rawTtlMs: config.DEAD_LETTER_RAW_TTL_H * 3_600_000,
          counters,
          log,
          now,
        }),
      );
      const storage = await start(
        storageFeature({
          path: join(config.DATA_DIR, 'journal.db'),
          maxLines: config.JOURNAL_MAX_LINES,
          keyTtlMs: config.DEDUPE_WINDOW_S * 1000,
          influx,
          drain: {
            batchLines: config.INFLUX_BATCH_SIZE,
            concurrency: config.INFLUX_WRITE_CONCURRENCY,
            minRetryMs: 500,
            maxRetryMs: 30_000,
          },
          counters,
          log,
          now,
          onRejected: intake.storageRejected,
          onFatal,
        }),
      );
      const { journal } = storage;
      const notifications = await start(
        notificationsFeature({
          channelsFile: config.NOTIFICATIONS_FILE,
          db,
          log,
          counters,
          now,
          publish: (topic, payload) => outbound.publish(topic, payload),
        }),
      );
      const alerting = await start(
        alertingFeature({
          db,
          registry,
          points: storage.points,
          notifier: notifications.notifier,
          counters,
          log,
          now,
          rulesDir: config.RULES_DIR,
          kindRulesDir: config.KIND_RULES_DIR,
          tickMs: realMs(clock, config.RULES_TICK_S * 1000),
          digestCron: config.DIGEST_CRON,
          clock,
          onAlertChange: (transition, alert) => live.bus.emit('alert', { transition, alert }),
        }),
      );
      const commands = await start(
        commandsFeature({
          db,
          counters,
          log,
          now,
          send,
          onChange: (record) => live.bus.emit('command', record),
        }),
      );
      await start(live);
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
        onAccepted: (accepted) => alerting.evaluate(accepted),
      });
      const mqtt = await start(
        brokerFeature({
          credentialsFile: config.CREDENTIALS_FILE,
          certificateRequired: config.MQTT_TLS_CA !== undefined,
          limits: {
            maxPayloadBytes: config.MQTT_MAX_PAYLOAD_BYTES,
            connectionsPerMinutePerAddress: config.MQTT_CONNECTIONS_PER_MINUTE,
            messagesPerSecondPerGateway: config.MQTT_MESSAGES_PER_SECOND,
          },
          log,
          counters,
          now,
          outbound,
          deadLetters: intake,
          onUplink: (message) => ingestor.handle(message),
          gateways: commands.gateways,
        }),
      );
      const { configs } = await start(gatewayConfigFeature({ db, send }));
      await start(
        snapshotsFeature({
          registry,
          journal,
          influx,
          counters,
          log,
          now,
          mqttClients: mqtt.connectedClients,
          deviceEveryMs: realMs(clock, config.STATUS_SNAPSHOT_S * 1000),
          platformEveryMs: realMs(clock, config.PLATFORM_STATS_S * 1000),
        }),
      );
      const audit = new SqliteAuditLog(db);
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
      const { ports } = await start(
        mqttListenersFeature({ broker: mqtt.broker, listeners: mqttListeners(config) }),
      );
      const api = await start(
        apiFeature({
          db,
          adminToken: config.ADMIN_TOKEN,
          audit,
          port: config.HTTP_PORT,
          host: config.HTTP_HOST,
          registry,
          deadLetters,
          deadLetterQuotaBytes: config.DEAD_LETTER_QUOTA_BYTES,
          commands: commands.service,
          commandStore: commands.store,
          configs,
          rules: alerting.rules,
          alerts: alerting.alerts,
          alertStore: alerting.alertStore,
          influx,
          counters,
          journal,
          mqtt: { ports, connectedClients: mqtt.connectedClients },
          consoleDir: config.CONSOLE_DIR,
          corsOrigins: config.CORS_ORIGINS,
          requestsPerMinute: config.API_REQUESTS_PER_MINUTE,
          lockout: {
            maxFailures: config.LOGIN_MAX_FAILURES,
            windowMs: 15 * 60_000,
            lockMs: config.LOGIN_LOCKOUT_MINUTES * 60_000,
          },
          loginAttemptsPerMinute: config.LOGIN_ATTEMPTS_PER_MINUTE,
          session: {
            idleMs: config.SESSION_IDLE_MINUTES * 60_000,
            maxMs: config.SESSION_MAX_HOURS * 3_600_000,
          },
          cookieSecure: config.COOKIE_SECURE,
          trustProxy: config.TRUST_PROXY,
          seriesMaxPoints: config.SERIES_MAX_POINTS,
          live,
          events: {
            pingMs: config.EVENTS_PING_S * 1000,
            maxStreams: config.EVENTS_MAX_STREAMS,
            maxStreamsPerPrincipal: config.EVENTS_MAX_STREAMS_PER_PRINCIPAL,
          },
          mapTiles: { tileUrl: config.MAP_TILE_URL, attribution: config.MAP_ATTRIBUTION },
          summaryMaxAgeMs: config.SUMMARY_REFRESH_S * 1000,
          now,
          log,
        }),
      );
      return { journal, mqttPorts: ports, httpPort: api.port, devices: registry.size };
    });
    this.running = { ...value, stop };
    log.info(
      {
        mqttPort: value.mqttPorts.mqtt,
        httpPort: value.httpPort,
        devices: value.devices,
        influx: influx.server.version,
      },
      'cloud started',
    );
  }

  /** Resolves when every point accepted so far is in InfluxDB. */
  flush(): Promise<void> {
    return this.require().journal.drained();
  }

  /** Stops every feature, last started first, each even if another failed. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    await running.stop();
    this.deps.log.info('cloud stopped');
  }
}
