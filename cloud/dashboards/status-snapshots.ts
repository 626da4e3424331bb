import { Point } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import { inTimedRuns } from '../lifecycle/timed-runs.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { Connectivity, DeviceRegistry } from '../registry/registry.ts';
import type { DeviceRecord } from '../registry/store.ts';
import type { Journal } from '../storage/journal-contract.ts';
import { deviceStatusMeasurement, platformStatsMeasurement } from '../storage/measurements.ts';
import { type PointWriter, toLine } from '../storage/point-writer.ts';
import { isHealthy } from './fleet-summary.ts';

export interface SnapshotOptions {
  registry: Pick<DeviceRegistry, 'records' | 'connectivity'>;
  journal: Journal;
  /**
   * Where snapshot lines go: straight to InfluxDB, not through the ingest journal. They are derived
   * data written again every interval; in the journal, 100,000 status lines would queue ahead of the
   * readings that arrive after them.
   */
  points: PointWriter;
  counters: Counters;
  log: Logger;
  now: () => Date;
  mqttClients: () => number;
  deviceEveryMs: number;
  platformEveryMs: number;
  /** How long one run of the device snapshot may hold the event loop (ms; `defaultBudgetMs` if not given). */
  runMs?: number;
}

/** Cumulative counters written to `platform_stats`; Grafana derives rates from them. */
const platformCounters = [
  'messages_received',
  'readings_accepted',
  'events_accepted',
  'dead_letters',
  'duplicate_batches',
  'influx_points_written',
  'influx_write_errors',
] as const;

/**
 * Writes what Grafana cannot get from readings alone:
 * `device_status` (every device's position, connectivity and condition, for the map) and
 * `platform_stats` (the cloud's own counters, for the platform dashboard).
 */
export class StatusSnapshots {
  private readonly options: SnapshotOptions;
  private timers: NodeJS.Timeout[] = [];
  private lastLatency = { count: 0, sum: 0 };
  /** A device snapshot is being written (`writeDeviceStatus`). */
  private writing = false;
  /** Aborted at stop: a snapshot under way writes no further run. */
  private stopping = new AbortController();

  constructor(options: SnapshotOptions) {
    this.options = options;
  }

  start(): void {
    const { deviceEveryMs, platformEveryMs } = this.options;
    this.stopping = new AbortController();
    this.timers = [
      setInterval(() => void this.writeDeviceStatus(), deviceEveryMs),
      setInterval(() => void this.write(platformStatsMeasurement, [this.platformLine()]), platformEveryMs),
    ];
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.stopping.abort();
  }

  private async write(what: string, lines: string[]): Promise<void> {
    try {
      await this.options.points.write(lines);
    } catch (error) {
      this.options.log.error({ err: error, what }, 'snapshot not written');
    }
  }

  /**
   * Every placed device's line, written in runs of about `runMs` with a turn of the event loop
   * between them: 100,000 devices are some 300 ms of work (loaded machine), which in one go held
   * ingest and the API once a minute. Every line carries the time the snapshot began. A snapshot
   * asked while one runs is skipped.
   */
  async writeDeviceStatus(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      const at = this.options.now();
      const status = this.options.registry.connectivity();
      await inTimedRuns(
        this.options.registry.records(),
        (take) => {
          const lines: string[] = [];
          for (let d = take(); d; d = take())
            if (d.location) lines.push(deviceLine(d, d.location, at, status(d)));
          if (lines.length > 0) void this.write(deviceStatusMeasurement, lines);
        },
        { budgetMs: this.options.runMs, signal: this.stopping.signal },
      );
    } finally {
      this.writing = false;
    }
  }

  platformLine(): string {
    const { counters } = this.options;
    const point = new Point(platformStatsMeasurement);
    for (const name of platformCounters) point.floatField(name, counters.get(name));
    const count = counters.get('influx_write_seconds_count');
    const sum = counters.get('influx_write_seconds_sum');
    const samples = count - this.lastLatency.count;
    point.floatField('write_latency_ms', samples > 0 ? ((sum - this.lastLatency.sum) / samples) * 1000 : 0);
    this.lastLatency = { count, sum };
    point.floatField('journal_lines', this.options.journal.depth);
    point.floatField('mqtt_clients', this.options.mqttClients());
    return toLine(point.timestamp(this.options.now()));
  }
}

function deviceLine(
  d: Readonly<DeviceRecord>,
  location: { lat: number; lon: number },
  at: Date,
  connectivity: Connectivity,
): string {
  return toLine(
    new Point(deviceStatusMeasurement)
      .tag('device', d.id)
      .tag('kind', d.kind)
      .tag('district', d.district)
      .tag('gateway', d.gatewayId)
      .floatField('lat', location.lat)
      .floatField('lon', location.lon)
      .floatField('online', connectivity === 'online' ? 1 : 0)
      .floatField('healthy', isHealthy(d) ? 1 : 0)
      .timestamp(at),
  );
}
