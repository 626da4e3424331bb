import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../shared/log.ts';
import { InfluxConnection } from './influx.ts';
import { IngestJournal } from './journal.ts';
import { JournalDrainer } from './journal-drainer.ts';
import { faultReason } from './journal-faults.ts';
import type { FromStorage, StorageSettings, ToStorage } from './storage-thread.ts';
import type { WrittenHour } from './written-hours.ts';

/**
 * The storage thread (started by `StorageThread`): owns the ingest journal and the drainer into
 * InfluxDB, so that SQLite inserts, fsyncs and HTTP writes run beside the event loop that decodes
 * MQTT messages, not on it. Counters, removals and rejected batches are reported to the main thread;
 * a batch InfluxDB refused leaves the journal only once the main thread has kept it as a dead letter.
 */
const port = parentPort;
if (!port) throw new Error('storage-worker.ts runs as a worker thread (see storage-thread.ts)');
const settings = workerData as StorageSettings;
const post = (message: FromStorage) => port.postMessage(message);
const log = createLogger('storage', settings.logLevel);

// The main thread's clock (a test may set it): batch keys are stamped and expire by it.
let clock = settings.startedAt;
const journal = new IngestJournal(settings.path, {
  keyTtlMs: settings.keyTtlMs,
  now: () => new Date(clock),
  faults: {
    onFault: (operation, error, first) => {
      post({ type: 'add', name: `journal_${operation}_errors`, by: 1 });
      if (!first) return;
      const reason = faultReason(error);
      // Once per episode: the counter says how often it was tried.
      log.error({ operation, reason }, `ingest journal cannot ${operation}; retrying until it can`);
      post({ type: 'fault', operation, reason });
    },
    onRecovered: (operation) => {
      log.info({ operation }, `ingest journal can ${operation} again`);
      post({ type: 'recovered', operation });
    },
  },
  onFailure: (error) => {
    // Nothing can be acknowledged any more: the main thread stops the process (see StorageThread).
    log.fatal({ err: error }, 'ingest journal failed');
    post({ type: 'fatal', message: error.message });
  },
});

const keeping = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
let rejections = 0;
const marking = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
let writtenReports = 0;
const written = settings.watch?.length
  ? {
      measurements: settings.watch,
      onWritten: (hours: WrittenHour[]) =>
        new Promise<void>((resolve, reject) => {
          const id = ++writtenReports;
          marking.set(id, { resolve, reject });
          post({ type: 'written', id, hours });
        }),
    }
  : undefined;
const drainer = new JournalDrainer(
  journal,
  new InfluxConnection(settings.influx.settings, settings.influx.server),
  {
    ...settings.drain,
    written,
    onInfluxState: (reachable) => post({ type: 'influx', reachable }),
    onRejected: (lines, reason) =>
      new Promise<void>((resolve, reject) => {
        const id = ++rejections;
        keeping.set(id, { resolve, reject });
        post({ type: 'rejected', id, lines, reason });
      }),
  },
  {
    add: (name, by = 1) => post({ type: 'add', name, by }),
    observe: (name, value) => post({ type: 'observe', name, value }),
  },
  log,
);
journal.onRemove((lines) => post({ type: 'removed', lines }));

/** Appends made durable, reported together once per turn of this thread's event loop. */
let synced: number[] = [];
function reportSynced(seq: number): void {
  synced.push(seq);
  if (synced.length === 1)
    setImmediate(() => {
      post({ type: 'synced', seqs: synced });
      synced = [];
    });
}

port.on('message', (message: ToStorage) => {
  switch (message.type) {
    case 'append':
      for (const { seq, record } of message.items) {
        clock = Math.max(clock, record.at);
        journal.appendRecord(record).then(
          () => reportSynced(seq),
          (error: Error) => post({ type: 'failed', seq, message: error.message }),
        );
      }
      return;
    case 'kept': {
      const waiting = keeping.get(message.id);
      keeping.delete(message.id);
      if (message.error === undefined) waiting?.resolve();
      else waiting?.reject(new Error(`dead letter not kept: ${message.error}`));
      return;
    }
    case 'marked': {
      const waiting = marking.get(message.id);
      marking.delete(message.id);
      if (message.error === undefined) waiting?.resolve();
      else waiting?.reject(new Error(`written hours not marked: ${message.error}`));
      return;
    }
    case 'stop':
      for (const waiting of [...keeping.values(), ...marking.values()])
        waiting.reject(new Error('storage thread stopping'));
      drainer
        .stop()
        .finally(() => {
          journal.close();
          port.close();
        })
        .catch(() => undefined);
  }
});

drainer.start();
post({ type: 'ready', depth: journal.depth });
