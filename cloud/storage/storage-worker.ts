import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../shared/log.ts';
import { IngestJournal } from '../ingest/journal.ts';
import { Counters } from '../ingest/stats.ts';
import { InfluxConnection } from './influx.ts';
import { JournalDrainer } from './journal-drainer.ts';
import type { FromStorage, StorageSettings, ToStorage } from './storage-thread.ts';

/**
 * The storage thread (started by `StorageThread`): owns the ingest journal and the drainer into
 * InfluxDB, so that SQLite inserts, fsyncs and HTTP writes run beside the event loop that decodes
 * MQTT messages, not on it. Counters, rejected batches and removals are reported to the main thread.
 */
const port = parentPort;
if (!port) throw new Error('storage-worker.ts runs as a worker thread (see storage-thread.ts)');
const settings = workerData as StorageSettings;
const post = (message: FromStorage) => port.postMessage(message);

/** The drainer's counters, added up in the main thread's `Counters`. */
class RelayedCounters extends Counters {
  override add(name: string, by = 1): void {
    post({ type: 'add', name, by });
  }

  override observe(name: string, value: number): void {
    post({ type: 'observe', name, value });
  }
}

// The main thread's clock (a test may set it): batch keys expire by the time their appends carry.
let clock = Date.now();
const journal = new IngestJournal(settings.path, { keyTtlMs: settings.keyTtlMs, now: () => new Date(clock) });
const drainer = new JournalDrainer(
  journal,
  new InfluxConnection(settings.influx.settings, settings.influx.server),
  {
    ...settings.drain,
    onRejected: (lines, reason) => post({ type: 'rejected', lines, reason }),
  },
  new RelayedCounters(),
  createLogger('storage', settings.logLevel),
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
  if (message.type === 'append') {
    for (const { seq, record } of message.items) {
      clock = Math.max(clock, record.at);
      journal.appendRecord(record).then(
        () => reportSynced(seq),
        (error: Error) => post({ type: 'failed', seq, message: error.message }),
      );
    }
  } else {
    drainer
      .stop()
      .finally(() => {
        journal.close();
        post({ type: 'stopped' });
        port.close();
      })
      .catch(() => undefined);
  }
});

drainer.start();
post({ type: 'ready', depth: journal.depth });
