import type { WriteApi } from '@influxdata/influxdb-client';
import type { Consumer, JsMsg } from 'nats';
import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import { type InfluxConnection, logInfluxClientTo } from '../storage/influx.ts';
import { tenantDatabase } from '../tenants/database-name.ts';
import { ensureWorkerConsumer } from './journal-stream.ts';
import { type LineBatch, LineBatcher, lineCount } from './line-batcher.ts';
import type { NatsLink } from './nats-link.ts';
import { keepRejected } from './rejected.ts';
import { tenantOfSubject } from './subjects.ts';

export interface JournalWorkerOptions {
  link: NatsLink;
  /** The installation's InfluxDB: each tenant's batches go to its own database there. */
  influx: InfluxConnection;
  /** Messages taken per pull from the stream, at most. */
  fetchMessages: number;
  /** Lines of one tenant written to InfluxDB at once: a write leaves once it holds this many... */
  batchLines: number;
  /** ...or this long after its first message came. */
  lingerMs: number;
  /** Writes in flight at once: InfluxDB parses one batch while the next is on its way. */
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

/** A message taken from the stream, with its text. */
interface Held {
  message: JsMsg;
  text: string;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * A storage worker: pulls the journal stream through its durable consumer (shared by every worker:
 * each message goes to one of them), gathers each tenant's messages into writes of `batchLines`
 * lines or `lingerMs` of waiting (cluster/line-batcher.ts), writes them to the tenant's InfluxDB
 * database and acknowledges a message only once InfluxDB confirmed its write. While a batch waits for
 * a write slot or InfluxDB, its messages are kept from the ack wait (in-progress acks). While InfluxDB
 * refuses, the messages are given back (nak with a delay, doubling) and stay in the stream; a worker
 * that dies leaves its unacknowledged messages to the others after the consumer's ack wait. A message
 * written twice (a redelivery after a lost ack) creates no duplicates: same series and timestamp is
 * the same point.
 */
export class JournalWorker {
  private readonly options: JournalWorkerOptions;
  private readonly databases = new Map<string, InfluxConnection>();
  /** Each tenant's WriteApis not in use (one per write in flight at most). */
  private readonly idleWriters = new Map<string, WriteApi[]>();
  private readonly batcher: LineBatcher<Held>;
  private readonly writes = new Set<Promise<void>>();
  /** Batches the linger timer let go, waiting for a write slot. */
  private readonly lingered = new Set<Promise<void>>();
  private consumer?: Consumer;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private loop?: Promise<void>;
  private delay: number;
  private influxFailure?: string;
  private wakers = new Set<() => void>();

  constructor(options: JournalWorkerOptions) {
    this.options = options;
    this.delay = options.minRetryMs;
    this.batcher = new LineBatcher({ lines: options.batchLines, lingerMs: options.lingerMs });
    // The client library's own messages go to the log at debug: failures are counted and reported here.
    logInfluxClientTo(options.log);
  }

  async start(): Promise<void> {
    const { link } = this.options;
    await ensureWorkerConsumer(link.jsm, link.settings);
    this.loop = this.run();
  }

  /** Why InfluxDB refuses writes now, if it does. */
  get influxError(): string | undefined {
    return this.influxFailure;
  }

  /**
   * Pulls while there is room: a pull's messages are taken as they come (into the batches, which
   * leave when full or lingered), and while every write slot is busy (InfluxDB slow, or refusing and
   * waiting out its delay) no new pull is made, so the backlog waits in the stream.
   */
  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const fetched = await this.fetch();
        for await (const message of fetched) await this.take(message);
      } catch (error) {
        this.consumer = undefined;
        this.options.log.debug({ err: error }, 'fetching from the journal failed; retrying');
        await this.pause(this.options.minRetryMs);
      }
    }
    // What was taken is written before the worker stops.
    clearTimeout(this.timer);
    for (const batch of this.batcher.drain()) await this.submit(batch);
    await Promise.all(this.lingered);
    await Promise.all(this.writes);
    const writers = [...this.idleWriters.values()].flat();
    await Promise.all(writers.map((api) => api.close().catch(() => undefined)));
  }

  private async fetch() {
    const { link } = this.options;
    if (!link.connected) throw new Error('NATS is not connected');
    if (!this.consumer) {
      await ensureWorkerConsumer(link.jsm, link.settings);
      this.consumer = await link.js.consumers.get(link.settings.stream, link.settings.consumer);
    }
    return this.consumer.fetch({ max_messages: this.options.fetchMessages, expires: 1_000 });
  }

  /** Adds a message to its tenant's batch; writes the batches it completed (waiting for a slot). */
  private async take(message: JsMsg): Promise<void> {
    const { link, log } = this.options;
    // Batches the linger let go are waiting for a write slot: take no more meanwhile.
    while (this.lingered.size > 0) await Promise.race(this.lingered);
    const tenant = tenantOfSubject(link.settings.subjectPrefix, message.subject);
    if (!tenant) {
      log.error({ subject: message.subject }, 'a message on a subject of no tenant; removed');
      message.term();
      return;
    }
    const held = { message, text: message.string() };
    for (const batch of this.batcher.add(tenant, held, lineCount(message.data), Date.now()))
      await this.submit(batch);
    this.arm();
  }

  /** Sets the timer for the next batch whose linger ends. */
  private arm(): void {
    clearTimeout(this.timer);
    const wait = this.batcher.dueIn(Date.now());
    if (wait === undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      for (const batch of this.batcher.due(Date.now())) {
        const submitted: Promise<void> = this.submit(batch).finally(() => this.lingered.delete(submitted));
        this.lingered.add(submitted);
      }
      this.arm();
    }, wait);
  }

  /** Starts writing a batch once fewer than `concurrency` writes are in flight; its messages are kept alive meanwhile. */
  private async submit(batch: LineBatch<Held>): Promise<void> {
    const keepAlive = setInterval(
      () => {
        try {
          for (const { message } of batch.items) message.working();
        } catch (error) {
          this.options.log.debug({ err: error }, 'an in-progress ack failed');
        }
      },
      Math.max(100, this.options.link.settings.ackWaitMs / 3),
    );
    while (this.writes.size >= this.options.concurrency) await Promise.race(this.writes);
    const write: Promise<void> = this.write(batch, keepAlive).finally(() => this.writes.delete(write));
    this.writes.add(write);
  }

  /** Writes and acknowledges a batch; after a failure, holds its write slot for the backoff delay. Never rejects. */
  private async write(batch: LineBatch<Held>, keepAlive: NodeJS.Timeout): Promise<void> {
    const failure = await this.store(batch)
      .catch((error: Error) => error)
      .finally(() => clearInterval(keepAlive));
    if (!failure) {
      if (this.influxFailure) this.options.log.info('InfluxDB writes resumed; draining the journal');
      this.influxFailure = undefined;
      this.delay = this.options.minRetryMs;
      return;
    }
    this.options.counters.add('influx_write_errors');
    if (!this.influxFailure)
      this.options.log.warn(
        { err: failure },
        'storing batches failed (InfluxDB, or marking their hours); they stay in the stream and are retried',
      );
    this.influxFailure = failure.message;
    const wait = this.delay;
    this.delay = Math.min(this.options.maxRetryMs, this.delay * 2);
    await this.pause(wait);
  }

  /**
   * Writes a tenant's batch and acknowledges its messages once InfluxDB (and the written hook) has
   * them; gives them back on a failure, returned. Lines InfluxDB refuses as malformed (400) are
   * found by writing the batch's messages one by one: only those refused are kept as rejected.
   */
  private async store(batch: LineBatch<Held>): Promise<Error | undefined> {
    const { counters } = this.options;
    const tenant = batch.key;
    const messages = batch.items.map((held) => held.message);
    const records = batch.items.map((held) => held.text);
    const started = performance.now();
    try {
      await this.writeRecords(tenant, records);
    } catch (error) {
      if (statusOf(error) === 400 && batch.items.length > 1) return this.storeOneByOne(batch);
      if (statusOf(error) === 400) return this.reject(tenant, batch.items[0] as Held, error as Error);
      for (const message of messages) message.nak(this.delay);
      return error as Error;
    }
    try {
      await this.options.written?.(tenant, records);
    } catch (error) {
      for (const message of messages) message.nak(this.delay);
      return new Error(`marking the written hours failed: ${(error as Error).message}`, { cause: error });
    }
    for (const message of messages) message.ack();
    counters.add('influx_points_written', batch.lines);
    counters.add('journal_batches_stored', messages.length);
    counters.observe('influx_write_seconds', (performance.now() - started) / 1000);
    return undefined;
  }

  private async storeOneByOne(batch: LineBatch<Held>): Promise<Error | undefined> {
    let failure: Error | undefined;
    for (const held of batch.items) {
      const one = { key: batch.key, items: [held], lines: lineCount(held.message.data) };
      failure = (await this.store(one)) ?? failure;
    }
    return failure;
  }

  private async writeRecords(tenant: string, records: string[]): Promise<void> {
    const connection = this.database(tenant);
    await connection.setUp();
    const idle = this.idleWriters.get(tenant) ?? [];
    this.idleWriters.set(tenant, idle);
    const api = idle.pop() ?? writeApiOf(connection, this.options.batchLines);
    try {
      api.writeRecords(records);
      await api.flush();
    } finally {
      idle.push(api);
    }
  }

  /** InfluxDB refused the lines as malformed: retrying cannot help; kept in the rejected stream, then removed. */
  private async reject(tenant: string, held: Held, error: Error): Promise<undefined> {
    const { link, counters, log } = this.options;
    counters.add('influx_rejected_batches');
    try {
      await keepRejected(link, tenant, [held.text], error.message);
      held.message.term();
      log.error({ tenant, reason: error.message }, 'InfluxDB refused a batch; kept as rejected');
    } catch (keeping) {
      log.error({ err: keeping, tenant }, 'a refused batch could not be kept; retried later');
      held.message.nak(this.options.maxRetryMs);
    }
    return undefined;
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

  /** Waits `ms`, or less if the worker stops. */
  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
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
    // The pull in progress ends by itself (within a second): its messages are written, then the rest.
    this.stopped = true;
    for (const wake of [...this.wakers]) wake();
    await this.loop;
  }
}

/**
 * The worker owns retries (the stream is the buffer) and batching: the WriteApi neither retries nor
 * buffers, and sends what it is given in one request. Its batchSize counts records (messages of one
 * line or more): a batch of `batchLines` lines holds at most that many.
 */
function writeApiOf(connection: InfluxConnection, batchLines: number): WriteApi {
  return connection.writeApi({
    gzipThreshold: Number.MAX_SAFE_INTEGER,
    batchSize: batchLines + 1,
    flushInterval: 0,
    maxRetries: 0,
    maxBufferLines: 0,
  });
}
