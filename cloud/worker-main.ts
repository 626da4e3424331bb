import { createLogger } from '../shared/log.ts';
import { JournalWorker } from './cluster/journal-worker.ts';
import { NatsLink } from './cluster/nats-link.ts';
import { jetStreamSettings } from './cluster/settings.ts';
import { loadWorkerConfig } from './cluster/worker-config.ts';
import { portOf, startWorkerHttp } from './cluster/worker-http.ts';
import { Counters } from './monitoring/counters.ts';
import { InfluxConnection } from './storage/influx.ts';

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
  const worker = new JournalWorker({
    link,
    influx,
    batchMessages: config.WORKER_BATCH_MESSAGES,
    concurrency: config.WORKER_CONCURRENCY,
    minRetryMs: 200,
    maxRetryMs: config.WORKER_MAX_RETRY_S * 1000,
    counters,
    log,
  });
  await worker.start();
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
