import type { Server } from 'node:http';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import { readFleetFiles } from '../shared/fleet-files.ts';
import { commandMessage } from '../shared/messages.ts';
import { gatewayTopic, parseTopic } from '../shared/topics.ts';
import { SqliteAuditLog } from './access/audit.ts';
import { SqliteTokenStore } from './access/tokens.ts';
import { startAlerting } from './alerting.ts';
import { createApi } from './api/app.ts';
import { MqttBroker } from './broker/broker.ts';
import { CredentialStore } from './broker/credentials.ts';
import { CommandService } from './commands/service.ts';
import { SqliteCommandStore } from './commands/store.ts';
import type { CloudConfig } from './config.ts';
import { SqliteDeadLetterStore } from './dead-letters/store.ts';
import { GatewayConfigService } from './gateway-config/service.ts';
import { Ingestor } from './ingest/ingest.ts';
import { Counters } from './ingest/stats.ts';
import { createMetricsRegistry } from './monitoring/metrics.ts';
import { StatusSnapshots } from './monitoring/snapshots.ts';
import type { Notifier } from './notifications/notifier.ts';
import { DeviceRegistry } from './registry/registry.ts';
import { SqliteRegistryStore } from './registry/sqlite-store.ts';
import { type InfluxConnection, logInfluxClientTo } from './storage/influx.ts';
import { openSqlite } from './storage/sqlite.ts';
import { StorageThread } from './storage/storage-thread.ts';

export interface CloudDependencies {
  config: CloudConfig;
  log: Logger;
  influx: InfluxConnection;
  now?: () => Date;
  /**
   * Storage can no longer make messages durable (a flush to disk failed, or its thread died). The
   * cloud keeps answering /health ("failing") but acknowledges nothing; `cloud/main.ts` exits so that
   * the supervisor restarts it and SQLite recovers the journal from what is on disk.
   */
  onFatal?: (error: Error) => void;
}

interface Running {
  db: DatabaseSync;
  journal: StorageThread;
  commands: CommandService;
  snapshots: StatusSnapshots;
  registry: DeviceRegistry;
  snapshotWriter: WriteApi;
  broker: MqttBroker;
  http: Server;
  mqttPort: number;
  httpPort: number;
  ports: Record<string, number>;
  notifier: Notifier;
  stopJobs: (() => Promise<void>)[];
  ruleTimer: NodeJS.Timeout;
}

/**
 * The cloud process, wired once here: broker, ingestion with its durable journal and the storage
 * thread that drains it into InfluxDB, registry, dead letters, commands, gateway configuration and
 * the REST API.
 */
export class Cloud {
  readonly counters = new Counters();
  private readonly deps: CloudDependencies;
  private running?: Running;

  constructor(deps: CloudDependencies) {
    this.deps = deps;
  }

  get mqttPort(): number {
    return this.require().mqttPort;
  }

  get httpPort(): number {
    return this.require().httpPort;
  }

  /** Every MQTT listener's bound port: mqtt, and mqtts and ws when enabled. */
  get mqttPorts(): Record<string, number> {
    return this.require().ports;
  }

  private require(): Running {
    if (!this.running) throw new Error('cloud is not started');
    return this.running;
  }

  async start(): Promise<void> {
    const { config, log, influx } = this.deps;
    const now = this.deps.now ?? (() => new Date());
    const counters = this.counters;
    const db = openSqlite(join(config.DATA_DIR, 'cloud.db'));
    const registry = new DeviceRegistry({
      store: new SqliteRegistryStore(db),
      now,
      offlineAfterMs: config.DEVICE_OFFLINE_AFTER_S * 1000,
      onWriteError: (error) => log.error({ err: error }, 'registry not saved'),
    });
    await registry.load(await readFleetFiles(config.FLEET_DIR));
    registry.startFlushing();
    const deadLetters = new SqliteDeadLetterStore(db);
    logInfluxClientTo(log);
    const journal = await StorageThread.start({
      path: join(config.DATA_DIR, 'journal.db'),
      maxLines: config.JOURNAL_MAX_LINES,
      keyTtlMs: config.DEDUPE_WINDOW_S * 1000,
      influx: { settings: influx.settings, server: influx.server },
      drain: {
        batchLines: config.INFLUX_BATCH_SIZE,
        concurrency: config.INFLUX_WRITE_CONCURRENCY,
        minRetryMs: 500,
        maxRetryMs: 30_000,
      },
      logLevel: log.level,
      counters,
      log,
      now,
      onRejected: (lines, reason) =>
        deadLetters.add({
          receivedAt: now(),
          topic: 'influxdb/write',
          gatewayId: undefined,
          payload: Buffer.from(lines.join('\n')),
          rejections: [{ reason: 'storage-rejected', message: reason.slice(0, 2_000) }],
        }),
      onFailure: (error) => {
        log.fatal({ err: error }, 'storage failed: no message can be acknowledged any more');
        this.deps.onFatal?.(error);
      },
    });
    if (journal.depth > 0)
      log.info({ lines: journal.depth }, 'journal holds points from before the restart; writing them');
    const commandStore = new SqliteCommandStore(db);
    const tokens = new SqliteTokenStore(db);
    if (config.ADMIN_TOKEN) await tokens.ensure('bootstrap-admin', 'admin', config.ADMIN_TOKEN, now());
    const audit = new SqliteAuditLog(db);
    let broker: MqttBroker | undefined;
    const publish = (topic: string, body: object, retain = false) =>
      broker?.publish(topic, JSON.stringify(body), { retain }).catch((error: Error) => {
        log.error({ err: error, topic }, 'publish to gateway failed');
      });
    const commands = new CommandService({
      store: commandStore,
      counters,
      log,
      now,
      publish: (gatewayId, message) => publish(gatewayTopic(gatewayId, 'commands'), message),
    });
    const configs = new GatewayConfigService(db, (gatewayId, gatewayConfig) =>
      publish(gatewayTopic(gatewayId, 'config'), gatewayConfig, true),
    );
    const { notifier, alertStore, alerts, engine, rules, stopJobs } = await startAlerting({
      config,
      db,
      journal,
      registry,
      counters,
      log,
      now,
      publish: (topic, payload) => broker?.publish(topic, payload) ?? Promise.resolve(),
    });
    const ingestor = new Ingestor({
      registry,
      deadLetters,
      journal,
      counters,
      log,
      now,
      maxAgeMs: config.MAX_READING_AGE_S * 1000,
      maxSkewMs: config.MAX_CLOCK_SKEW_S * 1000,
      onCommandResult: (gatewayId, result) => commands.result(gatewayId, result),
      onAccepted: ({ readings, events }) => {
        try {
          engine.onReadings(readings);
          engine.onEvents(events);
        } catch (error) {
          counters.add('rules_errors');
          log.error({ err: error }, 'rule evaluation failed');
        }
      },
    });
    broker = await MqttBroker.create({
      credentials: new CredentialStore(config.CREDENTIALS_FILE),
      log,
      counters,
      now,
      limits: {
        maxPayloadBytes: config.MQTT_MAX_PAYLOAD_BYTES,
        connectionsPerMinutePerAddress: config.MQTT_CONNECTIONS_PER_MINUTE,
        messagesPerSecondPerGateway: config.MQTT_MESSAGES_PER_SECOND,
      },
      onUplink: (message) => ingestor.handle(message),
      onRefused: ({ topic, gatewayId, payload, reason }) => {
        counters.add('dead_letters');
        counters.add('rejected_publish-refused');
        deadLetters
          .add({
            receivedAt: now(),
            topic,
            gatewayId,
            payload,
            rejections: [{ reason: 'publish-refused', message: reason }],
          })
          .catch((error: Error) => log.error({ err: error, topic, gatewayId }, 'refused publish not kept'));
      },
      onGatewayListening: (gatewayId) => commands.gatewayListening(gatewayId),
      onGatewayGone: (gatewayId) => commands.gatewayGone(gatewayId),
      onDelivered: (topic, payload) => {
        if (parseTopic(topic)?.channel !== 'commands') return;
        const message = commandMessage.safeParse(JSON.parse(payload.toString('utf8')));
        // Never rejects: the service logs its own failures.
        if (message.success) void commands.delivered(message.data.commandId);
      },
    });
    const aedes = broker.aedes;
    const snapshotWriter = influx.writeApi({
      batchSize: 5_000,
      flushInterval: 1_000,
      maxRetries: 3,
      maxBufferLines: 200_000,
    });
    const snapshots = new StatusSnapshots({
      registry,
      journal,
      writeLines: (lines) => snapshotWriter.writeRecords(lines),
      counters,
      log,
      now,
      mqttClients: () => aedes.connectedClients,
      deviceEveryMs: config.STATUS_SNAPSHOT_S * 1000,
      platformEveryMs: config.PLATFORM_STATS_S * 1000,
    });
    configs.republishAll();
    commands.start();
    snapshots.start();
    const ruleTimer = setInterval(() => {
      try {
        engine.tick();
      } catch (error) {
        counters.add('rules_errors');
        log.error({ err: error }, 'timed rule evaluation failed');
      }
    }, config.RULES_TICK_S * 1000);
    const mqttPort = await broker.listen(
      { kind: 'tcp', port: config.MQTT_PORT, host: config.MQTT_HOST },
      'MQTT_PORT',
    );
    const ports: Record<string, number> = { mqtt: mqttPort };
    if (config.MQTTS_PORT !== undefined) {
      const files = {
        cert: config.MQTT_TLS_CERT as string,
        key: config.MQTT_TLS_KEY as string,
        ca: config.MQTT_TLS_CA,
      };
      ports.mqtts = await broker.listen(
        { kind: 'tls', port: config.MQTTS_PORT, host: config.MQTT_HOST, files },
        'MQTTS_PORT',
      );
    }
    if (config.MQTT_WS_PORT !== undefined) {
      ports.ws = await broker.listen(
        { kind: 'ws', port: config.MQTT_WS_PORT, host: config.MQTT_HOST },
        'MQTT_WS_PORT',
      );
    }
    const metrics = createMetricsRegistry({
      counters,
      journalLines: () => journal.depth,
      mqttClients: () => aedes.connectedClients,
      devices: () => registry.size,
      alertsOpen: async () => (await alertStore.list({ state: 'open', limit: 1, offset: 0 })).total,
    });
    const api = createApi({
      registry,
      deadLetters,
      commands,
      commandStore,
      configs,
      rules,
      alerts,
      alertStore,
      influx,
      metrics,
      tokens,
      audit,
      corsOrigins: config.CORS_ORIGINS,
      requestsPerMinute: config.API_REQUESTS_PER_MINUTE,
      seriesMaxPoints: config.SERIES_MAX_POINTS,
      now,
      log,
      health: () => ({
        status: journal.failed ? 'failing' : 'ok',
        influx: { version: influx.server.version },
        mqtt: { ports, connectedClients: aedes.connectedClients },
        journal: { lines: journal.depth, ...(journal.failed && { error: journal.failed.message }) },
        devices: registry.size,
        counters: counters.snapshot(),
      }),
    });
    const http = await listenHttp(api, config.HTTP_PORT, config.HTTP_HOST);
    const address = http.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
    this.running = {
      db,
      journal,
      commands,
      snapshots,
      snapshotWriter,
      registry,
      broker,
      http,
      mqttPort,
      httpPort,
      ports,
      notifier,
      stopJobs,
      ruleTimer,
    };
    log.info({ mqttPort, httpPort, devices: registry.size, influx: influx.server.version }, 'cloud started');
  }

  /** Resolves when every point accepted so far is in InfluxDB. */
  flush(): Promise<void> {
    return this.require().journal.drained();
  }

  /** Stops every part, each even if another failed; points not yet in InfluxDB stay in the journal. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    const steps: [string, () => unknown][] = [
      [
        'http',
        () =>
          new Promise<void>((resolve) => {
            running.http.closeAllConnections();
            running.http.close(() => resolve());
          }),
      ],
      ['broker', () => running.broker.close()],
      ['rules', () => clearInterval(running.ruleTimer)],
      ['jobs', () => Promise.all(running.stopJobs.map((stop) => stop()))],
      ['notifications', () => running.notifier.close()],
      ['commands', () => running.commands.stop()],
      ['snapshots', () => running.snapshots.stop()],
      ['snapshot writer', () => running.snapshotWriter.close()],
      ['journal', () => running.journal.stop()],
      ['registry', () => running.registry.stopFlushing()],
      ['database', () => running.db.close()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.deps.log.error({ err: error, part: name }, 'stopping failed');
      }
    }
    this.deps.log.info('cloud stopped');
  }
}

function listenHttp(app: ReturnType<typeof createApi>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        reject(
          code === 'EADDRINUSE'
            ? new Error(`HTTP port ${host}:${port} is already in use; set HTTP_PORT`)
            : error,
        );
      } else resolve(server);
    });
  });
}
