import { Worker } from 'node:worker_threads';
import { workerThreadLimits } from '../lifecycle/thread-limits.ts';
import { encodeSeen } from './seen-rows.ts';
import type { DeviceRecord } from './store.ts';

/** To the seen thread: a tenant's databases to open, its flush to write, or to close; `exit` ends it. */
export type ToSeen =
  | { type: 'open'; id: number; path: string; devicesPath: string }
  | { type: 'save'; id: number; save: number; rows: Uint8Array[] }
  | { type: 'close'; id: number }
  | { type: 'exit' };

/** From the seen thread: opened, a flush written (and which of its devices `cloud.db` lacks), closed, or why not. */
export type FromSeen =
  | { type: 'opened'; id: number }
  | { type: 'saved'; id: number; save: number; missing: string[] }
  | { type: 'failed'; id: number; save?: number; message: string }
  | { type: 'closed'; id: number };

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

interface Registered {
  opened?: Waiter<void>;
  closed?: Waiter<void>;
  saves: Map<number, Waiter<string[]>>;
}

interface Thread {
  worker: Worker;
  registered: Map<number, Registered>;
  /** Messages waiting for an answer: the thread is referenced (the process waits for them) while any is. */
  waiting: number;
  /** Why the thread stopped, if it did: every later save is refused with it. */
  failure?: Error;
  /** Told once when the thread fails, for each log open then. */
  onFailure: Set<(error: Error) => void>;
}

/** The worker thread's script: seen-worker.ts (a test gives one that fails). */
const seenWorker = new URL('./seen-worker.ts', import.meta.url);

/** The process's one seen thread (per script), while any tenant's log is open. */
const shared = new Map<string, Thread>();
let nextId = 0;

function seenThread(script: URL): Thread {
  const running = shared.get(script.href);
  if (running && !running.failure) return running;
  const worker = new Worker(script, { resourceLimits: workerThreadLimits });
  // The broker and the API keep the process alive; a save waited for references it (`ask`).
  worker.unref();
  const thread: Thread = { worker, registered: new Map(), waiting: 0, onFailure: new Set() };
  const fail = (error: Error) => {
    if (thread.failure) return;
    thread.failure = error;
    if (shared.get(script.href) === thread) shared.delete(script.href);
    for (const r of thread.registered.values()) {
      for (const waiter of [r.opened, r.closed, ...r.saves.values()]) waiter?.reject(error);
      r.saves.clear();
    }
    thread.registered.clear();
    for (const told of thread.onFailure) told(error);
  };
  worker.on('message', (message: FromSeen) => answer(thread, message, () => shared.delete(script.href)));
  worker.once('error', fail);
  worker.once('exit', (code) => fail(new Error(`the seen thread exited (${code})`)));
  shared.set(script.href, thread);
  return thread;
}

function settled(thread: Thread): void {
  if (--thread.waiting === 0) thread.worker.unref();
}

function answer(thread: Thread, message: FromSeen, ended: () => void): void {
  const r = thread.registered.get(message.id);
  if (!r) {
    // A log closed meanwhile: its answer is still one of those waited for.
    settled(thread);
    return;
  }
  if (message.type === 'saved' || (message.type === 'failed' && message.save !== undefined)) {
    const waiter = r.saves.get(message.save as number);
    r.saves.delete(message.save as number);
    settled(thread);
    if (message.type === 'saved') waiter?.resolve(message.missing);
    else waiter?.reject(new Error(message.message));
    return;
  }
  settled(thread);
  if (message.type === 'opened') r.opened?.resolve();
  else if (message.type === 'failed') {
    thread.registered.delete(message.id);
    r.opened?.reject(new Error(message.message));
  } else {
    thread.registered.delete(message.id);
    r.closed?.resolve();
    if (thread.registered.size > 0) return;
    // The last log closed: the thread ends (a later one starts a new thread).
    ended();
    thread.worker.postMessage({ type: 'exit' } satisfies ToSeen);
  }
}

/** Posts a message an answer will follow; the process waits for the answer. A failed thread answers nothing: refused. */
function ask(thread: Thread, message: ToSeen, transfer: ArrayBuffer[] = []): void {
  if (thread.failure) throw thread.failure;
  if (thread.waiting++ === 0) thread.worker.ref();
  thread.worker.postMessage(message, transfer);
}

/** A tenant's seen log, written by the seen thread. */
export interface SeenLog {
  /** `seen.db`: the registry's connection attaches it to read what was written. */
  readonly path: string;
  /** Why it no longer writes, if it does not (the thread died): the registry writes on its own thread then. */
  readonly failed: Error | undefined;
  /** Writes the devices' seen state; resolves, once committed, with the ids of those `cloud.db` does not hold. */
  save(devices: readonly DeviceRecord[]): Promise<string[]>;
  /** Closes the thread's connections to the tenant's databases; the saves before it are written first. */
  stop(): Promise<void>;
}

/**
 * Moves the registry's one-second flush of what its devices' readings changed off the main thread:
 * the flush becomes JSON texts (`encodeSeen`, ~1.3 µs a device where its writes cost ~5 and the
 * sort ~1, made in timed runs), written into `path` (`seen.db`) by one worker thread for the whole process
 * (seen-worker.ts, every tenant's). A separate database file: the thread's commits never hold the
 * lock that the main thread's writes to `cloud.db` (alerts, rule states) take. `devicesPath` is the
 * tenant's `cloud.db`, read to tell which devices are not stored yet. Should the thread fail,
 * `onFailure` is told once and `failed` says why.
 */
export async function startSeenLog(settings: {
  path: string;
  devicesPath: string;
  onFailure?: (error: Error) => void;
  /** The thread's script (seen-worker.ts by default). */
  script?: URL;
}): Promise<SeenLog> {
  const thread = seenThread(settings.script ?? seenWorker);
  const id = ++nextId;
  const registered: Registered = { saves: new Map() };
  thread.registered.set(id, registered);
  let failed: Error | undefined;
  const onFailure = (error: Error) => {
    failed = new Error(`the seen thread failed: ${error.message}`, { cause: error });
    settings.onFailure?.(failed);
  };
  thread.onFailure.add(onFailure);
  try {
    await new Promise<void>((resolve, reject) => {
      registered.opened = { resolve, reject };
      ask(thread, { type: 'open', id, path: settings.path, devicesPath: settings.devicesPath });
    });
  } catch (error) {
    thread.onFailure.delete(onFailure);
    throw new Error(`seen log ${settings.path} did not open: ${(error as Error).message}`, { cause: error });
  }
  let saves = 0;
  let stopped = false;
  return {
    path: settings.path,
    get failed() {
      return failed;
    },
    async save(devices) {
      const refused = () =>
        failed ?? (stopped ? new Error(`seen log ${settings.path} is stopped`) : undefined);
      const before = refused();
      if (before) throw before;
      const save = ++saves;
      const rows = await encodeSeen(devices);
      // The thread may have failed, or the log stopped, while the rows were made (turns of the loop).
      const after = refused();
      if (after) throw after;
      return new Promise<string[]>((resolve, reject) => {
        registered.saves.set(save, { resolve, reject });
        try {
          // Each text's buffer is its own (encodeSeen): handed over, not copied.
          ask(
            thread,
            { type: 'save', id, save, rows },
            rows.map((text) => text.buffer as ArrayBuffer),
          );
        } catch (error) {
          registered.saves.delete(save);
          reject(error as Error);
        }
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      thread.onFailure.delete(onFailure);
      if (failed) return;
      // Answered after every save posted before it: the thread takes its messages in order.
      await new Promise<void>((resolve, reject) => {
        registered.closed = { resolve, reject };
        ask(thread, { type: 'close', id });
      }).catch(() => undefined);
    },
  };
}
