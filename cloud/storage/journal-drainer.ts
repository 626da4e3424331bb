import type { WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { CounterSink } from '../monitoring/counters.ts';
import { type InfluxConnection, logInfluxClientTo } from './influx.ts';
import type { JournalBatch, JournalStore } from './journal-contract.ts';
import { type WrittenHour, writtenHours } from './written-hours.ts';

export interface DrainerOptions {
  batchLines: number;
  /** Writes in flight at once: InfluxDB parses one batch while the next is on its way. */
  concurrency: number;
  /**
   * Lines fewer than a batch wait up to this long (ms) for more before they are written: at low rates,
   * fewer and larger writes (InfluxDB 1.x syncs its log once per write). 0 writes them at once.
   */
  lingerMs: number;
  /** Retry delays while InfluxDB is unavailable: doubling from min to max. */
  minRetryMs: number;
  maxRetryMs: number;
  /**
   * Called with lines InfluxDB refused as malformed (HTTP 400), to keep them as dead letters; they
   * leave the journal only once this has resolved (if it throws, the batch is retried).
   */
  onRejected(lines: string[], reason: string): void | Promise<void>;
  /** Called when writes start failing (false) or succeed again (true): InfluxDB's state for /health. */
  onInfluxState?(reachable: boolean): void;
  /**
   * Told which (measurement, hour) of `measurements` each batch wrote into, once InfluxDB confirmed it
   * and before it leaves the journal (the rollups mark those hours dirty); retried until it resolves.
   */
  written?: { measurements: readonly string[]; onWritten(hours: WrittenHour[]): Promise<void> };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

interface InFlight {
  batch: JournalBatch;
  /** Settles with the write's error (none once InfluxDB confirmed it) and its duration; never rejects. */
  done: Promise<{ error?: unknown; seconds: number }>;
}

const linesOf = (inFlight: readonly InFlight[]) => inFlight.reduce((n, w) => n + w.batch.count, 0);

/**
 * Moves the journal into InfluxDB through the client library's WriteApi, oldest lines first, with up
 * to `concurrency` writes in flight (one WriteApi each). Batches leave the journal in order, only once
 * InfluxDB confirmed them and every batch before them; while InfluxDB is down, the drainer retries
 * from the oldest unconfirmed batch with backoff and the journal grows. Writes are idempotent (same
 * series and timestamp is the same point), so a batch written twice creates no duplicates.
 */
export class JournalDrainer {
  private readonly journal: JournalStore;
  private readonly influx: InfluxConnection;
  private readonly apis: WriteApi[];
  private readonly options: DrainerOptions;
  private readonly counters: CounterSink;
  private readonly log: Logger;
  private stopped = false;
  /** Whether a write has succeeded yet. */
  private writing = false;
  private wake?: () => void;
  private unsubscribe?: () => void;
  private loop?: Promise<void>;
  private watched?: ReadonlySet<string>;
  /** When the oldest line not yet taken for writing was appended (undefined: none, or not known). */
  private untakenSince?: number;

  constructor(
    journal: JournalStore,
    influx: InfluxConnection,
    options: DrainerOptions,
    counters: CounterSink,
    log: Logger,
  ) {
    this.journal = journal;
    this.influx = influx;
    this.options = options;
    this.counters = counters;
    this.log = log;
    logInfluxClientTo(log);
    // The drainer owns retries (the journal is the buffer), so the WriteApi does not retry or buffer.
    // No gzip: InfluxDB runs next to the cloud, and compressing every batch cost ~8 % of a core.
    this.apis = Array.from({ length: options.concurrency }, () =>
      influx.writeApi({
        gzipThreshold: Number.MAX_SAFE_INTEGER,
        batchSize: options.batchLines + 1,
        flushInterval: 0,
        maxRetries: 0,
        maxBufferLines: 0,
      }),
    );
  }

  start(): void {
    this.unsubscribe = this.journal.onAppend(() => {
      this.untakenSince ??= performance.now();
      this.wake?.();
    });
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let delay = this.options.minRetryMs;
    let failing = false;
    const inFlight: InFlight[] = [];
    /** The last journal entry taken for writing: the next batch starts after it (or at the oldest). */
    let takenUpTo: number | undefined;
    const free: WriteApi[] = [...this.apis];
    let lingering = 0;
    while (!this.stopped) {
      for (let api = free.pop(); api; api = free.pop()) {
        lingering = this.lingering(inFlight);
        if (lingering > 0) {
          free.push(api);
          break;
        }
        const batch = await this.retried(() => this.journal.take(this.options.batchLines, takenUpTo));
        if (!batch) {
          free.push(api);
          break;
        }
        takenUpTo = batch.lastId;
        if (this.journal.depth - linesOf(inFlight) - batch.count <= 0) this.untakenSince = undefined;
        const writer = api;
        const done = this.write(writer, batch).finally(() => free.push(writer));
        inFlight.push({ batch, done });
      }
      const oldest = inFlight.shift();
      if (!oldest) {
        // Woken by the next append, or when the lines that wait for a batch to fill are due.
        await new Promise<void>((resolve) => {
          const timer = lingering > 0 ? setTimeout(resolve, lingering) : undefined;
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        lingering = 0;
        continue;
      }
      const { error, seconds } = await oldest.done;
      if (this.stopped) break;
      const { batch } = oldest;
      if (error === undefined) {
        this.counters.add('influx_points_written', batch.count);
        this.counters.observe('influx_write_seconds', seconds);
        await this.reportWritten(batch);
        if (this.stopped) break;
        await this.retried(() => this.journal.remove(batch.lastId, batch.count));
        if (this.stopped) break;
        if (failing)
          this.log.info({ backlog: this.journal.depth }, 'InfluxDB writes resumed; draining the journal');
        if (failing || !this.writing) this.options.onInfluxState?.(true);
        this.writing = true;
        failing = false;
        delay = this.options.minRetryMs;
        continue;
      }
      this.counters.add('influx_write_errors');
      let failure: unknown = error;
      if (statusOf(error) === 400) {
        // Malformed for InfluxDB: retrying cannot help. Kept as dead letters, never silently lost.
        try {
          await this.options.onRejected(batch.records, (error as Error).message);
          await this.retried(() => this.journal.remove(batch.lastId, batch.count));
          continue;
        } catch (keeping) {
          failure = keeping;
        }
      }
      // Start again from this batch once the writes after it have settled (those that succeeded are
      // written again: harmless, writes are idempotent).
      await Promise.all(inFlight.splice(0).map((w) => w.done));
      takenUpTo = undefined;
      this.untakenSince = undefined;
      if (this.stopped) break;
      if (!failing) this.options.onInfluxState?.(false);
      if (!failing)
        this.log.warn(
          { err: failure, backlog: this.journal.depth },
          'InfluxDB write failed; keeping the journal and retrying',
        );
      failing = true;
      await this.pause(delay);
      delay = Math.min(this.options.maxRetryMs, delay * 2);
    }
    await Promise.all(inFlight.map((w) => w.done));
  }

  /**
   * How long the lines not yet taken may still wait for a batch to fill (ms); 0 when they are to be
   * taken now: a batch's worth, lingered long enough, of unknown age (left from before a restart or
   * a failed write), or the drainer stopping.
   */
  private lingering(inFlight: readonly InFlight[]): number {
    const { batchLines, lingerMs } = this.options;
    if (lingerMs === 0 || this.untakenSince === undefined) return 0;
    if (this.journal.depth - linesOf(inFlight) >= batchLines) return 0;
    return Math.max(0, this.untakenSince + lingerMs - performance.now());
  }

  /** Tells `written` which hours the batch wrote into (if it watches any of them). */
  private async reportWritten(batch: JournalBatch): Promise<void> {
    const { written } = this.options;
    if (!written) return;
    this.watched ??= new Set(written.measurements);
    const hours = writtenHours(batch.records, this.watched, Date.now());
    if (hours.length > 0) await this.retried(() => written.onWritten(hours));
  }

  /** Waits `ms`, or less if the drainer is stopped meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        if (this.stopped) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
  }

  /**
   * Runs a journal operation until it succeeds (the journal counts and reports its failures: a full
   * or failing disk must not end the drainer), waiting between attempts; undefined once stopped.
   */
  private async retried<T>(operation: () => Promise<T>): Promise<T | undefined> {
    let delay = this.options.minRetryMs;
    for (;;) {
      try {
        return await operation();
      } catch (error) {
        this.log.debug({ err: error }, 'journal operation failed; retrying');
        if (this.stopped) return undefined;
        await this.pause(delay);
        if (this.stopped) return undefined;
        delay = Math.min(this.options.maxRetryMs, delay * 2);
      }
    }
  }

  private async write(api: WriteApi, batch: JournalBatch): Promise<{ error?: unknown; seconds: number }> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      // A cloud started without InfluxDB meets it here first: detected and its database created.
      await this.influx.setUp();
      api.writeRecords(batch.records);
      await api.flush();
      return { seconds: seconds() };
    } catch (error) {
      return { error: error ?? new Error('InfluxDB write failed'), seconds: seconds() };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
    await Promise.all(this.apis.map((api) => api.close().catch(() => undefined)));
  }
}
