import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointSettings } from './checkpoints.ts';

/**
 * The checkpoint thread (started by `startCheckpoints`): copies the write-ahead log of a database into
 * the database file every `everyMs`, with a connection of its own, so that the copy and its fsyncs
 * run beside the main thread's event loop. PASSIVE: it never waits for, nor holds up, the main
 * thread's readers and writers; what a reader still uses is copied at a later turn.
 */
const port = parentPort;
if (!port) throw new Error('checkpoint-worker.ts runs as a worker thread (see checkpoints.ts)');
const settings = workerData as CheckpointSettings;
const db = new DatabaseSync(settings.path);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch (error) {
    // The main thread takes the checkpoints back (see checkpoints.ts).
    clearInterval(timer);
    db.close();
    throw error;
  }
}, settings.everyMs);
port.on('message', (message: 'stop') => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  port.close();
});
