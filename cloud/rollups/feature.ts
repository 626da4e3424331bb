import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import { gatewayLinkSource } from '../../shared/aggregate-sources.ts';
import { cellOf } from '../geo/cells.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { openSqlite } from '../sqlite/sqlite.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import type { WrittenHour } from '../storage/written-hours.ts';
import type { AggregateQuery } from './aggregates.ts';
import { DirtyMarker } from './dirty-marker.ts';
import { defaultChunkSpans, RollupReader } from './reader.ts';
import { ensureRollupPolicy, rollupPolicy } from './rollup-policy.ts';
import { RollupTask } from './rollup-task.ts';
import type { RollupSource } from './sources.ts';
import { SqliteDirtyHourStore } from './sqlite-dirty-hours.ts';

export interface RollupsFeatureDeps {
  /**
   * Whether this process marks and computes them: ROLLUPS_ENABLED, and not in cluster mode (where the
   * storage workers do). Off, the reader still reads what was computed.
   */
  enabled: boolean;
  /** The cell's rollups database (dirty hours and the task's state). */
  path: string;
  influx: InfluxConnection;
  registry: DeviceRegistry;
  sources: readonly RollupSource[];
  /** The tenant's raw retention (its quota): hours older than that are not recomputed. */
  rawRetentionDays: () => number;
  /** ROLLUP_RETENTION_DAYS: how long InfluxDB keeps the rollups. */
  retentionDays: number;
  /** Pause between rounds once nothing is dirty (real time). */
  intervalMs: number;
  /** Dirty hours per round. */
  batchHours: number;
  now: () => Date;
  log: Logger;
}

/**
 * The tenant's rollups: the dirty hours the storage path marks (`written`), the task that computes
 * them in the background (first the retention policy and, when enabled on a database with history, a
 * backfill), and the reader of hourly and daily aggregates. See docs/rollups.md.
 */
export function rollupsFeature(deps: RollupsFeatureDeps) {
  const log = deps.log.child({ part: 'rollups' });
  const timeZone = () => deps.registry.city?.timezone ?? 'UTC';
  // A query's series: the gateways for their links; otherwise the kind's devices (in the district).
  const seriesOf = (query: AggregateQuery) =>
    query.kind === gatewayLinkSource
      ? deps.registry.gatewayCount
      : deps.registry.listDevices({ kind: query.kind, district: query.district }, { limit: 0, offset: 0 })
          .total;
  const reader = new RollupReader(deps.influx, rollupPolicy, timeZone, defaultChunkSpans, seriesOf);
  let db: DatabaseSync | undefined;
  let marker: DirtyMarker | undefined;
  let task: RollupTask | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let markPrepared: () => void = () => undefined;
  /** Resolves once the retention policy exists and the backfill (or the gap since the last round) is marked. */
  const prepared = new Promise<void>((resolve) => {
    markPrepared = resolve;
  });

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  async function run(running: RollupTask): Promise<void> {
    let ready = false;
    while (!stopped) {
      try {
        if (!ready) {
          await ensureRollupPolicy(deps.influx, deps.retentionDays, log);
          await running.backfill();
          ready = true;
          markPrepared();
        }
        while (!stopped && (await running.round()) > 0);
      } catch (error) {
        log.warn({ err: error }, 'rollups: round failed; trying again later');
      }
      if (!stopped) await pause(deps.intervalMs);
    }
  }

  return {
    name: 'rollups',
    reader,
    /** For the storage feature: the measurements rolled up, and where their written hours go. */
    written: deps.enabled
      ? {
          measurements: deps.sources.map((s) => s.measurement),
          onWritten: (hours: WrittenHour[]) => {
            if (!marker) return Promise.reject(new Error('rollups are not started'));
            return marker.mark(hours);
          },
        }
      : undefined,
    /** Computes every dirty hour now, once the rollups are prepared (tests, `Cloud.flush`); nothing when disabled. */
    async settle(): Promise<void> {
      if (!task) return;
      await prepared;
      await task.settle();
    },
    async start() {
      if (!deps.enabled) return;
      db = openSqlite(deps.path);
      const store = new SqliteDirtyHourStore(db);
      marker = new DirtyMarker(store);
      task = new RollupTask({
        influx: deps.influx,
        store,
        marker,
        sources: deps.sources,
        policy: rollupPolicy,
        timeZone,
        zoneOf: (id) => {
          const location = deps.registry.getDevice(id)?.location;
          return location ? cellOf(location) : undefined;
        },
        rawRetentionDays: deps.rawRetentionDays,
        batchHours: deps.batchHours,
        now: deps.now,
        log,
      });
      loop = run(task);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
      db?.close();
    },
  };
}
