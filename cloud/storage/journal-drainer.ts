import { setLogger, type WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { IngestJournal } from '../ingest/journal.ts';
import type { Counters } from '../ingest/stats.ts';
import type { InfluxConnection } from './influx.ts';

export interface DrainerOptions {
  batchLines: number;
  /** Retry delays while InfluxDB is unavailable: doubling from min to max. */
  minRetryMs: number;
  maxRetryMs: number;
  /** Called with lines InfluxDB refused as malformed (HTTP 400): they are kept as dead letters. */
  onRejected(lines: string[], reason: string): void;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Moves the journal into InfluxDB through the client library's WriteApi, oldest lines first. A batch
 * leaves the journal only when InfluxDB confirmed it; while InfluxDB is down, the drainer retries
 * with backoff and the journal grows. Writes are idempotent (same series and timestamp is the same
 * point), so a batch written again after a crash creates no duplicates.
 */
export class JournalDrainer {
  private readonly journal: IngestJournal;
  private readonly api: WriteApi;
  private readonly options: DrainerOptions;
  private readonly counters: Counters;
  private readonly log: Logger;
  private stopped = false;
  private wake?: () => void;
  private unsubscribe?: () => void;
  private idleWaiters: (() => void)[] = [];
  private loop?: Promise<void>;

  constructor(
    journal: IngestJournal,
    influx: InfluxConnection,
    options: DrainerOptions,
    counters: Counters,
    log: Logger,
  ) {
    this.journal = journal;
    this.options = options;
    this.counters = counters;
    this.log = log;
    // The client library logs to the console by default; its messages go to our logger instead.
    setLogger({
      error: (message, error) => log.debug({ err: error }, `influxdb client: ${message}`),
      warn: (message, error) => log.debug({ err: error }, `influxdb client: ${message}`),
    });
    // The drainer owns retries (the journal is the buffer), so the WriteApi does not retry or buffer.
    // No gzip: InfluxDB runs next to the cloud, and compressing every batch cost ~8 % of a core.
    this.api = influx.writeApi({
      gzipThreshold: Number.MAX_SAFE_INTEGER,
      batchSize: options.batchLines + 1,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: 0,
    });
  }

  start(): void {
    this.unsubscribe = this.journal.onAppend(() => this.wake?.());
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let delay = this.options.minRetryMs;
    let failing = false;
    while (!this.stopped) {
      const batch = this.journal.take(this.options.batchLines);
      if (!batch) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      const started = performance.now();
      try {
        this.api.writeRecords(batch.records);
        await this.api.flush();
        this.counters.add('influx_points_written', batch.count);
        this.counters.observe('influx_write_seconds', (performance.now() - started) / 1000);
        this.journal.remove(batch.lastId, batch.count);
        if (failing)
          this.log.info({ backlog: this.journal.depth }, 'InfluxDB writes resumed; draining the journal');
        failing = false;
        delay = this.options.minRetryMs;
      } catch (error) {
        const status = statusOf(error);
        this.counters.add('influx_write_errors');
        if (status === 400) {
          // Malformed for InfluxDB: retrying cannot help. Kept as dead letters, never silently lost.
          this.options.onRejected(batch.records, (error as Error).message);
          this.journal.remove(batch.lastId, batch.count);
          continue;
        }
        if (!failing)
          this.log.warn(
            { err: error, backlog: this.journal.depth },
            'InfluxDB write failed; keeping the journal and retrying',
          );
        failing = true;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            if (this.stopped) {
              clearTimeout(timer);
              resolve();
            }
          };
        });
        delay = Math.min(this.options.maxRetryMs, delay * 2);
      }
    }
  }

  /** Resolves when everything journaled so far has reached InfluxDB. */
  drained(): Promise<void> {
    if (this.journal.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
    await this.api.close().catch(() => undefined);
  }
}
