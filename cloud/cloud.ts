import type { Server } from 'node:http';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import { readFleetFiles } from '../shared/fleet-files.ts';
import { createApi } from './api/app.ts';
import { MqttBroker } from './broker/broker.ts';
import { CredentialStore } from './broker/credentials.ts';
import type { CloudConfig } from './config.ts';
import { SqliteDeadLetterStore } from './dead-letters/store.ts';
import { Ingestor } from './ingest/ingest.ts';
import { Counters } from './ingest/stats.ts';
import { DeviceRegistry } from './registry/registry.ts';
import { SqliteRegistryStore } from './registry/sqlite-store.ts';
import type { InfluxConnection } from './storage/influx.ts';
import { PointWriter } from './storage/point-writer.ts';
import { openSqlite } from './storage/sqlite.ts';

export interface CloudDependencies {
  config: CloudConfig;
  log: Logger;
  influx: InfluxConnection;
  now?: () => Date;
}

interface Running {
  db: DatabaseSync;
  writer: PointWriter;
  broker: MqttBroker;
  http: Server;
  mqttPort: number;
  httpPort: number;
}

/** The cloud process: broker, ingestion, registry, dead letters and the REST API, wired once here. */
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
    });
    registry.load(await readFleetFiles(config.FLEET_DIR));
    const deadLetters = new SqliteDeadLetterStore(db);
    const writer = new PointWriter(
      influx,
      {
        batchSize: config.INFLUX_BATCH_SIZE,
        flushIntervalMs: config.INFLUX_FLUSH_INTERVAL_MS,
        maxBufferLines: 1_000_000,
        maxRetryTimeMs: 24 * 3600 * 1000,
      },
      counters,
      log,
    );
    const ingestor = new Ingestor({
      registry,
      deadLetters,
      sink: writer,
      counters,
      log,
      now,
      maxAgeMs: config.MAX_READING_AGE_S * 1000,
      maxSkewMs: config.MAX_CLOCK_SKEW_S * 1000,
    });
    const broker = await MqttBroker.create({
      credentials: new CredentialStore(config.CREDENTIALS_FILE),
      log,
      counters,
      onUplink: (message) => ingestor.handle(message),
    });
    const mqttPort = await broker.listen(config.MQTT_PORT, config.MQTT_HOST);
    const api = createApi({
      registry,
      deadLetters,
      log,
      health: () => ({
        status: 'ok',
        influx: { version: influx.server.version },
        mqtt: { port: mqttPort, connectedClients: broker.aedes.connectedClients },
        devices: registry.size,
        counters: counters.snapshot(),
      }),
    });
    const http = await listenHttp(api, config.HTTP_PORT, config.HTTP_HOST);
    const address = http.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
    this.running = { db, writer, broker, http, mqttPort, httpPort };
    log.info({ mqttPort, httpPort, devices: registry.size, influx: influx.server.version }, 'cloud started');
  }

  /** Waits until every point handed to the writer so far has been sent to InfluxDB. */
  flush(): Promise<void> {
    return this.require().writer.flush();
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    running.http.closeAllConnections();
    await new Promise<void>((resolve) => running.http.close(() => resolve()));
    await running.broker.close();
    await running.writer.close();
    running.db.close();
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
