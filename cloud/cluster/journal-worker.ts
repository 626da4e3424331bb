import type { WriteApi } from '@influxdata/influxdb-client';
import type { Consumer, JsMsg } from 'nats';
import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import { type InfluxConnection, logInfluxClientTo } from '../storage/influx.ts';
import { tenantDatabase } from '../tenants/database-name.ts';
import { ensureWorkerConsumer } from './journal-stream.ts';
import type { NatsLink } from './nats-link.ts';
import { keepRejected } from './rejected.ts';
import { tenantOfSubject } from './subjects.ts';

export interface JournalWorkerOptions {
  link: NatsLink;
  /** The installation's InfluxDB: each tenant's batches go to its own database there. */
  influx: InfluxConnection;
  /** Batches (messages) taken per fetch. */
  batchMessages: number;
  /** Fetches in flight at once: InfluxDB parses one batch while the next is on its way. */
  concurrency: number;
  /** Delays while InfluxDB refuses writes: doubling from min to max. */
  minRetryMs: number;
  maxRetryMs: number;
  counters: Counters;
  log: Logger;
  /**
   * Called with a tenant's batches once InfluxDB has them and before they are acknowledged: the
   * rollups' dirty hours (cluster/written-marks.ts). A failure gives the batches back, as a write's does.
   */
  written?: (tenant: string, records: readonly string[]) => Promise<void>;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * A storage worker: pulls batches from the journal stream's durable consumer (shared by every worker:
 * each batch goes to one of them), writes each tenant's lines to its InfluxDB database, and
 * acknowledges a batch only once InfluxDB confirmed it. While InfluxDB refuses, the batches are
 * given back (nak with a delay, doubling) and stay in the stream; a worker that dies leaves its
 * unacknowledged batches to the others after the consumer's ack wait. A batch written twice (a
 * redelivery after a lost ack) creates no duplicates: same series and timestamp is the same point.
 */
export class JournalWorker {
  private readonly options: JournalWorkerOptions;
  private readonly databases = new Map<string, InfluxConnection>();
  private consumer?: Consumer;
  private stopped = false;
  private loops: Promise<void>[] = [];
  private delay: number;
  private influxFailure?: string;
  private wakers = new Set<() => void>();

  constructor(options: JournalWorkerOptions) {
    this.options = options;
    this.delay = options.minRetryMs;
    // The client library's own messages go to the log at debug: failures are counted and reported here.
    logInfluxClientTo(options.log);
  }

  async start(): Promise<void> {
    const { link } = this.options;
    await ensureWorkerConsumer(link.jsm, link.settings);
    this.loops = Array.from({ length: this.options.concurrency }, () => this.run());
  }

  /** Why InfluxDB refuses writes now, if it does. */
  get influxError(): string | undefined {
    return this.influxFailure;
  }

  private async run(): Promise<void> {
    const writers = new Map<string, WriteApi>();
    while (!this.stopped) {
      let messages: JsMsg[];
      try {
        messages = await this.fetch();
      } catch (error) {
        this.consumer = undefined;
        this.options.log.debug({ err: error }, 'fetching from the journal failed; retrying');
        await this.pause(this.options.minRetryMs);
        continue;
      }
      if (messages.length > 0) await this.store(messages, writers);
    }
    await Promise.all([...writers.values()].map((api) => api.close().catch(() => undefined)));
  }

  private async fetch(): Promise<JsMsg[]> {
    const { link } = this.options;
    if (!link.connected) throw new Error('NATS is not connected');
    if (!this.consumer) {
      await ensureWorkerConsumer(link.jsm, link.settings);
      this.consumer = await link.js.consumers.get(link.settings.stream, link.settings.consumer);
    }
    const messages: JsMsg[] = [];
    const fetched = await this.consumer.fetch({ max_messages: this.options.batchMessages, expires: 1_000 });
    for await (const message of fetched) messages.push(message);
    return messages;
  }

  /** Writes the batches, tenant by tenant, and acknowledges those InfluxDB has. */
  private async store(messages: JsMsg[], writers: Map<string, WriteApi>): Promise<void> {
    const { counters, log, link } = this.options;
    const byTenant = new Map<string, JsMsg[]>();
    for (const message of messages) {
      const tenant = tenantOfSubject(link.settings.subjectPrefix, message.subject);
      if (!tenant) {
        log.error({ subject: message.subject }, 'a message on a subject of no tenant; removed');
        message.term();
        continue;
      }
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), message]);
    }
    const failures = await Promise.all(
      [...byTenant].map(async ([tenant, batch]) => {
        const records = batch.map((m) => m.string());
        const lines = records.reduce((n, text) => n + text.split('\n').length, 0);
        const started = performance.now();
        try {
          const connection = this.database(tenant);
          await connection.setUp();
          let api = writers.get(tenant);
          if (!api) {
            api = writeApiOf(connection, this.options.batchMessages);
            writers.set(tenant, api);
          }
          api.writeRecords(records);
          await api.flush();
        } catch (error) {
          if (statusOf(error) === 400) {
            await this.reject(tenant, batch, records, error as Error);
            return undefined;
          }
          for (const message of batch) message.nak(this.delay);
          return error as Error;
        }
        try {
          await this.options.written?.(tenant, records);
        } catch (error) {
          for (const message of batch) message.nak(this.delay);
          return new Error(`marking the written hours failed: ${(error as Error).message}`, { cause: error });
        }
        for (const message of batch) message.ack();
        counters.add('influx_points_written', lines);
        counters.add('journal_batches_stored', batch.length);
        counters.observe('influx_write_seconds', (performance.now() - started) / 1000);
        return undefined;
      }),
    );
    const failure = failures.find((f) => f !== undefined);
    if (!failure) {
      if (this.influxFailure) log.info('InfluxDB writes resumed; draining the journal');
      this.influxFailure = undefined;
      this.delay = this.options.minRetryMs;
      return;
    }
    counters.add('influx_write_errors');
    if (!this.influxFailure)
      log.warn(
        { err: failure },
        'storing batches failed (InfluxDB, or marking their hours); they stay in the stream and are retried',
      );
    this.influxFailure = failure.message;
    const wait = this.delay;
    this.delay = Math.min(this.options.maxRetryMs, this.delay * 2);
    await this.pause(wait);
  }

  /** InfluxDB refused the lines as malformed: retrying cannot help; kept in the rejected stream, then removed. */
  private async reject(tenant: string, batch: JsMsg[], records: string[], error: Error): Promise<void> {
    const { link, counters, log } = this.options;
    counters.add('influx_rejected_batches', batch.length);
    try {
      await keepRejected(link, tenant, records, error.message);
      for (const message of batch) message.term();
      log.error(
        { tenant, batches: batch.length, reason: error.message },
        'InfluxDB refused batches; kept as rejected',
      );
    } catch (keeping) {
      log.error({ err: keeping, tenant }, 'refused batches could not be kept; retried later');
      for (const message of batch) message.nak(this.options.maxRetryMs);
    }
  }

  private database(tenant: string): InfluxConnection {
    let connection = this.databases.get(tenant);
    if (!connection) {
      const { influx } = this.options;
      connection = influx.withDatabase(tenantDatabase(influx.settings.database, tenant));
      this.databases.set(tenant, connection);
    }
    return connection;
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of [...this.wakers]) wake();
    await Promise.all(this.loops);
  }
}

/** The worker owns retries (the stream is the buffer): the WriteApi neither retries nor buffers. */
function writeApiOf(connection: InfluxConnection, records: number): WriteApi {
  return connection.writeApi({
    gzipThreshold: Number.MAX_SAFE_INTEGER,
    batchSize: records + 1,
    flushInterval: 0,
    maxRetries: 0,
    maxBufferLines: 0,
  });
}
