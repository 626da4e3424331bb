import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import { type InfluxConnection, logInfluxClientTo } from './influx.ts';
import { StorageThread, type StorageThreadOptions } from './storage-thread.ts';

export interface StorageFeatureDeps {
  /** The journal's database file. */
  path: string;
  maxLines: number;
  keyTtlMs: number;
  influx: InfluxConnection;
  drain: StorageThreadOptions['drain'];
  counters: Counters;
  log: Logger;
  now: () => Date;
  /** Lines InfluxDB refused as malformed: kept as dead letters. */
  onRejected: StorageThreadOptions['onRejected'];
  /** Told the hours of these measurements that InfluxDB got new points in (the rollups' dirty hours). */
  written?: { measurements: readonly string[]; onWritten: NonNullable<StorageThreadOptions['onWritten']> };
  /** Storage can no longer make anything durable: the process should restart (see `CloudDependencies`). */
  onFatal?: (error: Error) => void;
}

/** The durable journal and the storage thread that drains it into InfluxDB. */
export function storageFeature(deps: StorageFeatureDeps) {
  let journal: StorageThread | undefined;
  const running = () => {
    if (!journal) throw new Error('storage is not started');
    return journal;
  };
  return {
    name: 'storage',
    get journal(): StorageThread {
      return running();
    },
    async start() {
      const { log } = deps;
      logInfluxClientTo(log);
      journal = await StorageThread.start({
        path: deps.path,
        maxLines: deps.maxLines,
        keyTtlMs: deps.keyTtlMs,
        influx: {
          settings: deps.influx.settings,
          server: deps.influx.reached ? deps.influx.server : undefined,
        },
        drain: deps.drain,
        logLevel: log.level,
        counters: deps.counters,
        log,
        now: deps.now,
        onRejected: deps.onRejected,
        watch: deps.written?.measurements,
        onWritten: deps.written?.onWritten,
        onFailure: (error) => {
          log.fatal({ err: error }, 'storage failed: no message can be acknowledged any more');
          deps.onFatal?.(error);
        },
      });
      if (journal.depth > 0)
        log.info({ lines: journal.depth }, 'journal holds points from before the restart; writing them');
    },
    stop: () => running().stop(),
  };
}
