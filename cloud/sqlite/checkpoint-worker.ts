import { DatabaseSync } from 'node:sqlite';
import { parentPort } from 'node:worker_threads';
import type { FromCheckpoints, ToCheckpoints } from './checkpoints.ts';

/**
 * The checkpoint thread (started by `startCheckpoints`): copies the write-ahead log of each database it
 * is given into its database file every `everyMs`, with a connection of its own, so that the copy and
 * its fsyncs run beside the main thread's event loop. PASSIVE: it never waits for, nor holds up, the
 * main thread's readers and writers; what a reader still uses is copied at a later turn. A database
 * whose checkpoint fails is closed and reported; the others go on.
 */
const port = parentPort;
if (!port) throw new Error('checkpoint-worker.ts runs as a worker thread (see checkpoints.ts)');
const post = (message: FromCheckpoints) => port.postMessage(message);
/** SQLite's SQLITE_BUSY ("database is locked"). */
const sqliteBusy = 5;
const open = new Map<number, { db: DatabaseSync; timer: NodeJS.Timeout }>();

function close(id: number): void {
  const entry = open.get(id);
  if (!entry) return;
  clearInterval(entry.timer);
  open.delete(id);
  try {
    entry.db.close();
  } catch {
    // Closed already, or never fully open: nothing more to release.
  }
}

function add(id: number, path: string, everyMs: number): void {
  try {
    const db = new DatabaseSync(path);
    // Waiting here holds up no event loop that matters: better than a turn lost to a passing lock.
    db.exec('PRAGMA busy_timeout = 1000');
    const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
    const timer = setInterval(() => {
      try {
        checkpoint.get();
      } catch (error) {
        // Busy (the main thread's connection holding a lock a moment longer): copied at the next turn.
        if ((error as { errcode?: number }).errcode === sqliteBusy) return;
        close(id);
        post({ type: 'failed', id, message: (error as Error).message });
      }
    }, everyMs);
    open.set(id, { db, timer });
  } catch (error) {
    post({ type: 'failed', id, message: (error as Error).message });
  }
}

port.on('message', (message: ToCheckpoints) => {
  switch (message.type) {
    case 'add':
      add(message.id, message.path, message.everyMs);
      return;
    case 'remove':
      close(message.id);
      post({ type: 'removed', id: message.id });
      return;
    case 'exit':
      for (const id of [...open.keys()]) close(id);
      port.close();
      return;
  }
});
