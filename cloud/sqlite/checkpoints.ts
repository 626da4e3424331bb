import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { workerThreadLimits } from '../lifecycle/thread-limits.ts';

/** To the checkpoint thread: a database to checkpoint every `everyMs` from now on, or no longer. */
export type ToCheckpoints =
  | { type: 'add'; id: number; path: string; everyMs: number }
  | { type: 'remove'; id: number }
  /** No database left: the thread ends. */
  | { type: 'exit' };

/** From the checkpoint thread: a database's connection is closed, or its checkpoints failed (and stopped). */
export type FromCheckpoints =
  | { type: 'removed'; id: number }
  | { type: 'failed'; id: number; message: string };

/** SQLite's own threshold (pages of log) for the checkpoints a commit runs itself. */
const sqliteDefaultPages = 1_000;

/**
 * The commits' threshold while the thread checkpoints: a safety net, reached only if the log is never
 * found wholly copied at the start of a write (writes without a pause for seconds), when it alone
 * would grow. The commit then copies what the thread has not yet (little) and the log starts again.
 */
const safetyNetPages = 10_000;

interface Registered {
  /** The commits checkpoint again, and the owner is told why. */
  takeBack(error: Error): void;
  /** Resolves the owner's `stop()` once the thread closed its connection. */
  removed?: () => void;
}

/** The process's one checkpoint thread, while it checkpoints any database. */
let shared: { worker: Worker; registered: Map<number, Registered>; stopping: number } | undefined;
let nextId = 0;

function checkpointThread(): NonNullable<typeof shared> {
  if (shared) return shared;
  const worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), {
    resourceLimits: workerThreadLimits,
  });
  // The broker and the API keep the process alive, not the checkpoints.
  worker.unref();
  const thread = { worker, registered: new Map<number, Registered>(), stopping: 0 };
  const failAll = (error: Error) => {
    if (shared === thread) shared = undefined;
    for (const r of thread.registered.values()) {
      r.takeBack(error);
      r.removed?.();
    }
    thread.registered.clear();
  };
  worker.on('message', (message: FromCheckpoints) => {
    const r = thread.registered.get(message.id);
    thread.registered.delete(message.id);
    // A failed database's connection is closed too: an owner stopping meanwhile is done.
    if (message.type === 'failed') r?.takeBack(new Error(message.message));
    r?.removed?.();
    if (thread.registered.size > 0) return;
    // The last database left: the thread ends (a later one starts a new thread).
    if (shared === thread) shared = undefined;
    worker.postMessage({ type: 'exit' } satisfies ToCheckpoints);
  });
  worker.once('error', failAll);
  worker.once('exit', (code) => failAll(new Error(`the checkpoint thread exited (${code})`)));
  shared = thread;
  return thread;
}

/**
 * Moves a database's WAL checkpoints off the thread that writes it: SQLite runs one inside the
 * commit that takes the log past 1,000 pages, and its copy of pages and fsyncs held the main thread
 * for tens of ms once every few commits (the registry's one-second flush of tens of thousands of
 * devices is some 30 commits). One worker thread for the whole process (checkpoint-worker.ts: every
 * tenant's database, not a thread each) checkpoints it every `everyMs` instead, and the commits only
 * past `safetyNetPages`. Should its checkpoints fail, or the thread die, the commits checkpoint again as
 * SQLite does by default; `onFailure` is told.
 */
export function startCheckpoints(
  db: DatabaseSync,
  settings: { path: string; everyMs: number; onFailure?: (error: Error) => void },
): { stop(): Promise<void> } {
  const { path, everyMs } = settings;
  db.exec(`PRAGMA wal_autocheckpoint = ${safetyNetPages}`);
  const thread = checkpointThread();
  const id = ++nextId;
  let done = false;
  const registered: Registered = {
    takeBack(error) {
      if (done) return;
      done = true;
      db.exec(`PRAGMA wal_autocheckpoint = ${sqliteDefaultPages}`);
      settings.onFailure?.(new Error(`checkpoints of ${path}: ${error.message}`, { cause: error }));
    },
  };
  thread.registered.set(id, registered);
  thread.worker.postMessage({ type: 'add', id, path, everyMs } satisfies ToCheckpoints);
  return {
    async stop() {
      if (done || !thread.registered.has(id)) return;
      done = true;
      // Waited for: the process does not end while the thread still holds the database.
      if (thread.stopping++ === 0) thread.worker.ref();
      await new Promise<void>((resolve) => {
        registered.removed = resolve;
        thread.worker.postMessage({ type: 'remove', id } satisfies ToCheckpoints);
      });
      if (--thread.stopping === 0) thread.worker.unref();
    },
  };
}
