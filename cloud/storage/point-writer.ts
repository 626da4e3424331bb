import { type Point, setLogger, type WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { Counters } from '../ingest/stats.ts';
import type { InfluxConnection } from './influx.ts';

export interface PointWriterOptions {
  batchSize: number;
  flushIntervalMs: number;
  /** Lines kept for retry while InfluxDB is unavailable. */
  maxBufferLines: number;
  maxRetryTimeMs: number;
}

/**
 * Writes points through the client library's WriteApi (batching, retries with backoff), counting
 * what was written and what failed.
 */
export class PointWriter {
  private readonly api: WriteApi;
  private readonly counters: Counters;

  constructor(influx: InfluxConnection, options: PointWriterOptions, counters: Counters, log: Logger) {
    this.counters = counters;
    setLogger({
      error: (message, error) => log.error({ err: error }, `influxdb client: ${message}`),
      warn: (message, error) => log.warn({ err: error }, `influxdb client: ${message}`),
    });
    this.api = influx.writeApi({
      batchSize: options.batchSize,
      flushInterval: options.flushIntervalMs,
      maxBufferLines: options.maxBufferLines,
      maxRetryTime: options.maxRetryTimeMs,
      maxRetries: 1_000,
      writeSuccess: (lines) => counters.add('influx_points_written', lines.length),
      writeFailed: (_error, lines, attempt) => {
        counters.add('influx_write_failures');
        if (attempt === 1) log.warn({ lines: lines.length }, 'InfluxDB write failed; retrying');
      },
      writeRetrySkipped: ({ lines }) => {
        counters.add('influx_points_lost', lines.length);
        log.error({ lines: lines.length }, 'InfluxDB retry buffer full: points dropped');
      },
    });
  }

  write(points: Point[]): void {
    if (points.length === 0) return;
    this.counters.add('influx_points_queued', points.length);
    this.api.writePoints(points);
  }

  flush(): Promise<void> {
    return this.api.flush();
  }

  close(): Promise<void> {
    return this.api.close();
  }
}
