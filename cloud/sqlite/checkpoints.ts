import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';

/** What the checkpoint thread is started with. */
export interface CheckpointSettings {
  path: string;
  everyMs: number;
}

/** SQLite's own threshold (pages of log) for the checkpoints a commit runs itself. */
const sqliteDefaultPages = 1_000;

/**
 * The commits' threshold while the thread checkpoints: a safety net, reached only if the log is never
 * found wholly copied at the start of a write (writes without a pause for seconds), when it alone
 * would grow. The commit then copies what the thread has not yet (little) and the log starts again.
 */
const safetyNetPages = 10_000;

/**
 * Moves a database's WAL checkpoints off the thread that writes it: SQLite runs one inside the
 * commit that takes the log past 1,000 pages, and its copy of pages and fsyncs held the main thread
 * for tens of ms once every few commits (the registry's one-second flush of tens of thousands of
 * devices is some 30 commits). A worker thread checkpoints every `everyMs` instead
 * (checkpoint-worker.ts), and the commits only past `safetyNetPages`. Should that thread fail, the
 * commits checkpoint again as SQLite does by default; `onFailure` is told.
 */
export function startCheckpoints(
  db: DatabaseSync,
  settings: CheckpointSettings & { onFailure?: (error: Error) => void },
): { stop(): Promise<void> } {
  const { path, everyMs } = settings;
  db.exec(`PRAGMA wal_autocheckpoint = ${safetyNetPages}`);
  const worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), {
    workerData: { path, everyMs } satisfies CheckpointSettings,
  });
  // The broker and the API keep the process alive, not the checkpoints.
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const takeBack = (error: Error) => {
    if (stopping) return;
    stopping = true;
    db.exec(`PRAGMA wal_autocheckpoint = ${sqliteDefaultPages}`);
    settings.onFailure?.(new Error(`checkpoints of ${path}: ${error.message}`, { cause: error }));
  };
  worker.once('error', takeBack);
  worker.once('exit', (code) => takeBack(new Error(`the checkpoint thread exited (${code})`)));
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      // Waited for: the process does not end while the thread still holds the database.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
