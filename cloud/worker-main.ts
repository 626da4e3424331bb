import { createLogger } from '../shared/log.ts';
import { JournalWorker } from './cluster/journal-worker.ts';
import { NatsLink } from './cluster/nats-link.ts';
import { RollupLeader } from './cluster/rollup-leader.ts';
import { jetStreamSettings } from './cluster/settings.ts';
import { loadWorkerConfig } from './cluster/worker-config.ts';
import { portOf, startWorkerHttp } from './cluster/worker-http.ts';
import { WrittenMarks } from './cluster/written-marks.ts';
import { Counters } from './monitoring/counters.ts';
import { PostgresDatabase } from './postgres/database.ts';
import { type PgSchema, platformSchemaName, quoteSchema } from './postgres/schema-name.ts';
import { rollupSources } from './rollups/sources.ts';
import { InfluxConnection } from './storage/influx.ts';
import { PostgresTenantStore } from './tenants/postgres-store.ts';

/**
 * Entry point of a storage worker (`npm run worker`), cluster mode's other process: it moves the
 * JetStream journal into InfluxDB. Run as many as InfluxDB needs; they share one durable consumer.
 * Configuration comes from the environment (cloud/cluster/worker-config.ts).
 */
async function main() {
  const config = loadWorkerConfig();
  const log = createLogger('storage-worker', config.LOG_LEVEL);
  const counters = new Counters();
  const link = new NatsLink(jetStreamSettings(config), log);
  await link.start(`city-storage-worker ${process.pid}`);
  const influx = new InfluxConnection({
    url: config.INFLUX_URL,
    token: config.INFLUX_TOKEN,
    database: config.INFLUX_DATABASE,
    org: config.INFLUX_ORG,
  });
  // Rollups (docs/rollups.md): every worker marks the hours it wrote into; the lock's holder computes.
  const database =
    config.DATABASE_URL && config.ROLLUPS_ENABLED
      ? await PostgresDatabase.connect(config.DATABASE_URL, { log })
      : undefined;
  if (!database && config.ROLLUPS_ENABLED)
    log.warn('no DATABASE_URL: the rollups are not kept up to date in cluster mode (docs/rollups.md)');
  // Each tenant's schema migrated once per process (and again after a failure).
  const schemas = new Map<string, Promise<PgSchema>>();
  const schemaOf = (tenant: string) => {
    let schema = schemas.get(tenant);
    if (!schema) {
      schema = (database as PostgresDatabase).tenant(tenant);
      schema.catch(() => schemas.delete(tenant));
      schemas.set(tenant, schema);
    }
    return schema;
  };
  const marks =
    database &&
    new WrittenMarks({
      schemaOf,
      measurements: rollupSources.map((s) => s.measurement),
      now: () => new Date(),
    });
  const leader =
    database &&
    new RollupLeader({
      pool: database.pool,
      influx,
      // The platform schema was migrated by connect().
      tenants: () =>
        new PostgresTenantStore({ pool: database.pool, name: quoteSchema(platformSchemaName) }).list(),
      schemaOf,
      sources: rollupSources,
      retentionDays: config.ROLLUP_RETENTION_DAYS,
      intervalMs: config.ROLLUP_INTERVAL_S * 1000,
      batchHours: 48,
      now: () => new Date(),
      log: log.child({ part: 'rollups' }),
    });
  const worker = new JournalWorker({
    link,
    influx,
    fetchMessages: config.WORKER_BATCH_MESSAGES,
    batchLines: config.WORKER_BATCH_LINES,
    lingerMs: config.WORKER_LINGER_MS,
    concurrency: config.WORKER_CONCURRENCY,
    minRetryMs: 200,
    maxRetryMs: config.WORKER_MAX_RETRY_S * 1000,
    counters,
    log,
    written: marks && ((tenant, records) => marks.mark(tenant, records)),
  });
  await worker.start();
  leader?.start();
  const pending = async () => {
    const info = await link.jsm.consumers.info(link.settings.stream, link.settings.consumer);
    return { waiting: info.num_pending, taken: info.num_ack_pending };
  };
  const server = await startWorkerHttp(
    {
      refusing: () => link.refusing,
      degraded: () => (worker.influxError ? [`InfluxDB refuses writes: ${worker.influxError}`] : []),
      detail: async () => ({
        influx: { url: config.INFLUX_URL, error: worker.influxError },
        rollups: { marking: marks !== undefined, leading: leader?.leading ?? false },
        backlog: await pending().catch(() => undefined),
        counters: counters.snapshot(),
      }),
    },
    config.WORKER_HTTP_PORT,
    config.WORKER_HTTP_HOST,
  );
  log.info({ port: portOf(server), stream: link.settings.stream }, 'storage worker started');
  let written = 0;
  const progress = setInterval(async () => {
    const now = counters.get('influx_points_written');
    log.info(
      {
        pointsPerSecond: Math.round((now - written) / config.WORKER_PROGRESS_S),
        written: now,
        backlog: await pending().catch(() => undefined),
        influxError: worker.influxError,
      },
      'progress',
    );
    written = now;
  }, config.WORKER_PROGRESS_S * 1000);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    clearInterval(progress);
    server.close();
    await worker.stop();
    await leader?.stop();
    await database?.close();
    await link.stop();
    process.exit(0);
  };
  process.once('SIGINT', (signal) => void shutdown(signal));
  process.once('SIGTERM', (signal) => void shutdown(signal));
}

main().catch((error: Error) => {
  console.error(`storage worker failed to start: ${error.message}`);
  process.exit(1);
});
