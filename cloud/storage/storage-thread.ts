import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { workerThreadLimits } from '../lifecycle/thread-limits.ts';
import type { Counters } from '../monitoring/counters.ts';
import { BatchKeys } from './batch-keys.ts';
import type { InfluxServer, InfluxSettings } from './influx.ts';
import { type Journal, type JournalEntry, type JournalRecord, toRecord } from './journal-contract.ts';
import type { DrainerOptions } from './journal-drainer.ts';
import type { JournalOperation } from './journal-faults.ts';
import type { WrittenHour } from './written-hours.ts';

/** What the storage thread is started with (structured-cloned into it). */
export interface StorageSettings {
  path: string;
  /** The main thread's clock when it started the storage thread (later ones come with appends). */
  startedAt: number;
  keyTtlMs: number;
  /** The server as the main thread detected it; none if InfluxDB was not reached yet. */
  influx: { settings: InfluxSettings; server?: InfluxServer };
  drain: Omit<DrainerOptions, 'onRejected' | 'onInfluxState' | 'written'>;
  /** Measurements whose written hours the main thread is told of (`onWritten`); none by default. */
  watch?: readonly string[];
  logLevel: string;
}

/** Appends made in one turn of the event loop travel in one message (one wake-up of the thread). */
export type ToStorage =
  | { type: 'append'; items: { seq: number; record: JournalRecord }[] }
  /** A rejected batch was kept as a dead letter (or could not be, and why). */
  | { type: 'kept'; id: number; error?: string }
  /** The written hours were taken care of (or could not be, and why). */
  | { type: 'marked'; id: number; error?: string }
  | { type: 'stop' };

export type FromStorage =
  | { type: 'ready'; depth: number }
  | { type: 'synced'; seqs: number[] }
  | { type: 'failed'; seq: number; message: string }
  | { type: 'removed'; lines: number }
  | { type: 'add'; name: string; by: number }
  | { type: 'observe'; name: string; value: number }
  | { type: 'rejected'; id: number; lines: string[]; reason: string }
  /** A batch confirmed by InfluxDB wrote into these hours of watched measurements; it waits for `marked`. */
  | { type: 'written'; id: number; hours: WrittenHour[] }
  /** The journal cannot append or remove now (disk full, read-only, I/O errors); it keeps retrying. */
  | { type: 'fault'; operation: JournalOperation; reason: string }
  | { type: 'recovered'; operation: JournalOperation }
  /** InfluxDB writes failed (false) or work again (true). */
  | { type: 'influx'; reachable: boolean }
  /** The journal can no longer make anything durable. */
  | { type: 'fatal'; message: string };

export interface StorageThreadOptions extends Omit<StorageSettings, 'startedAt'> {
  /** Beyond this many lines waiting for InfluxDB, appends wait (backpressure: slow PUBACKs). */
  maxLines: number;
  counters: Counters;
  log: Logger;
  now: () => Date;
  /** Lines InfluxDB refused as malformed (HTTP 400): to be kept as dead letters. */
  onRejected(lines: string[], reason: string): void | Promise<void>;
  /** Hours of `watch` measurements InfluxDB has new points in; the batch leaves the journal once this resolved. */
  onWritten?(hours: WrittenHour[]): Promise<void>;
  /**
   * The storage thread failed (a flush to disk failed, or the thread died): nothing can be
   * acknowledged any more; appends are refused from then on. The process should restart.
   */
  onFailure(error: Error): void;
}

interface Waiting {
  record: JournalRecord;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * An append the storage thread has: its line count and its promise's ends, not its text. A message's
 * text (~20 kB for 100 readings) kept until the append is synced outlived a young-generation
 * collection or two and was promoted: most of what the old generation took in under load.
 */
type Sent = Omit<Waiting, 'record'> & { count: number };

/**
 * The journal as the main thread sees it: appends go to the storage thread (`storage-worker.ts`),
 * which commits them, flushes them to disk and writes them to InfluxDB; an append resolves when the
 * storage thread reports it durable. Backpressure and redelivery checks stay here: the depth is
 * counted from what was sent and what the storage thread removed, and batch keys are looked up in
 * the journal database through a read-only connection.
 */
export class StorageThread implements Journal {
  private readonly options: StorageThreadOptions;
  private readonly worker: Worker;
  private readonly keys: DatabaseSync;
  private lineCount: number;
  private seq = 0;
  private readonly inFlight = new Map<number, Sent>();
  private outgoing: { seq: number; record: JournalRecord }[] = [];
  private readonly waitingForRoom: Waiting[] = [];
  private readonly batchKeys: BatchKeys;
  private idleWaiters: (() => void)[] = [];
  private failure?: Error;
  /** Journal operations failing now, and why (reported by the storage thread). */
  private readonly faults = new Map<JournalOperation, string>();
  private influxUp: boolean;
  private stopping = false;
  private readonly stopped: Promise<void>;

  private constructor(options: StorageThreadOptions, worker: Worker, depth: number) {
    this.options = options;
    this.worker = worker;
    this.lineCount = depth;
    this.influxUp = options.influx.server !== undefined;
    this.keys = new DatabaseSync(options.path, { readOnly: true });
    this.keys.exec('PRAGMA busy_timeout = 5000');
    const onDisk = this.keys.prepare('SELECT 1 FROM batch_keys WHERE key = ?');
    this.batchKeys = new BatchKeys((key) => onDisk.get(key) !== undefined);
    worker.on('message', (message: FromStorage) => this.receive(message));
    this.stopped = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('error', (error) => this.fail(error));
    worker.once('exit', () => this.fail(new Error('storage thread exited')));
  }

  /** Starts the storage thread; resolves once it has opened the journal and started draining. */
  static async start(options: StorageThreadOptions): Promise<StorageThread> {
    const settings: StorageSettings = {
      path: options.path,
      startedAt: options.now().getTime(),
      keyTtlMs: options.keyTtlMs,
      influx: options.influx,
      drain: options.drain,
      watch: options.onWritten ? options.watch : undefined,
      logLevel: options.logLevel,
    };
    const worker = new Worker(new URL('./storage-worker.ts', import.meta.url), {
      workerData: settings,
      resourceLimits: workerThreadLimits,
    });
    // The broker and the API keep the process alive; a cloud that failed to start is not kept alive
    // by its storage thread.
    worker.unref();
    const depth = await new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(new Error(`storage thread failed to start: ${error.message}`));
      worker.once('error', onError);
      worker.once('message', (message: FromStorage) => {
        worker.off('error', onError);
        if (message.type === 'ready') resolve(message.depth);
        else reject(new Error(`storage thread: expected ready, got ${message.type}`));
      });
    });
    return new StorageThread(options, worker, depth);
  }

  get depth(): number {
    return this.lineCount;
  }

  seen(key: string): Promise<void> | undefined {
    return this.batchKeys.seen(key);
  }

  append(entry: JournalEntry): Promise<void> {
    const record = toRecord(entry, this.options.now());
    const done = new Promise<void>((resolve, reject) => {
      const waiting = { record, resolve, reject };
      if (this.failure) reject(this.failure);
      else if (
        this.lineCount >= this.options.maxLines ||
        this.waitingForRoom.length > 0 ||
        this.faults.has('append')
      )
        // Held (no PUBACK yet) until there is room, or until the journal can write again.
        this.waitingForRoom.push(waiting);
      else this.send(waiting);
    });
    return this.batchKeys.track(record.key, done);
  }

  /** Resolves when everything journaled so far has reached InfluxDB. */
  drained(): Promise<void> {
    if (this.lineCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Lets the writes in flight finish and closes the journal; what InfluxDB lacks stays journaled. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.flushOutgoing();
    // Closed first, so that the storage thread's connection is the last and tidies the log away.
    this.keys.close();
    this.worker.postMessage({ type: 'stop' } satisfies ToStorage);
    await this.stopped;
  }

  /** Why the storage thread stopped working, if it did (reported by /health). */
  get failed(): Error | undefined {
    return this.stopping ? undefined : this.failure;
  }

  /** Appends wait while it refuses (see `CellJournal`). */
  readonly refusesAtOnce = false;

  /**
   * Why the journal cannot take new messages now, if it cannot (readiness): the storage thread
   * failed, the disk refuses appends, or the journal is full (backpressure). Empty when it can.
   */
  get refusing(): string[] {
    const reasons: string[] = [];
    if (this.failed) reasons.push(`storage failed: ${this.failed.message}`);
    const append = this.faults.get('append');
    if (append) reasons.push(`journal cannot write: ${append}`);
    if (this.lineCount >= this.options.maxLines)
      reasons.push(`journal full: ${this.lineCount} lines wait for InfluxDB (JOURNAL_MAX_LINES)`);
    return reasons;
  }

  /** Whether InfluxDB takes writes (as the last write, or the start-up, found it). */
  get influxReachable(): boolean {
    return this.influxUp;
  }

  /** Journal operations failing now (retried by the storage thread), with their reasons. */
  get faulty(): Record<string, string> {
    return Object.fromEntries(this.faults);
  }

  private send(waiting: Waiting): void {
    const seq = ++this.seq;
    const { record, resolve, reject } = waiting;
    this.inFlight.set(seq, { count: record.count, resolve, reject });
    this.lineCount += record.count;
    this.outgoing.push({ seq, record });
    if (this.outgoing.length === 1) setImmediate(() => this.flushOutgoing());
  }

  private flushOutgoing(): void {
    if (this.outgoing.length === 0) return;
    const items = this.outgoing;
    this.outgoing = [];
    this.worker.postMessage({ type: 'append', items } satisfies ToStorage);
  }

  private receive(message: FromStorage): void {
    const { counters } = this.options;
    switch (message.type) {
      case 'synced':
        for (const seq of message.seqs) {
          this.inFlight.get(seq)?.resolve();
          this.inFlight.delete(seq);
        }
        return;
      case 'failed': {
        // The commit was rolled back: these lines never entered the journal.
        const waiting = this.inFlight.get(message.seq);
        this.inFlight.delete(message.seq);
        this.lineCount -= waiting?.count ?? 0;
        waiting?.reject(new Error(`journal append failed: ${message.message}`));
        this.roomMade();
        return;
      }
      case 'removed':
        this.lineCount -= message.lines;
        this.roomMade();
        return;
      case 'add':
        counters.add(message.name, message.by);
        return;
      case 'observe':
        counters.observe(message.name, message.value);
        return;
      case 'rejected': {
        const { id } = message;
        Promise.resolve()
          .then(() => this.options.onRejected(message.lines, message.reason))
          .then(
            () => this.worker.postMessage({ type: 'kept', id } satisfies ToStorage),
            (keeping: Error) => {
              this.options.log.error(
                { err: keeping },
                'a batch InfluxDB refused could not be kept; it stays journaled',
              );
              this.worker.postMessage({ type: 'kept', id, error: keeping.message } satisfies ToStorage);
            },
          );
        return;
      }
      case 'written': {
        const { id, hours } = message;
        const marking = this.options.onWritten ? this.options.onWritten(hours) : Promise.resolve();
        marking.then(
          () => this.worker.postMessage({ type: 'marked', id } satisfies ToStorage),
          (error: Error) =>
            this.worker.postMessage({ type: 'marked', id, error: error.message } satisfies ToStorage),
        );
        return;
      }
      case 'fatal':
        this.fail(new Error(`storage thread: ${message.message}`));
        return;
      case 'fault':
        this.faults.set(message.operation, message.reason);
        return;
      case 'influx':
        this.influxUp = message.reachable;
        return;
      case 'recovered':
        this.faults.delete(message.operation);
        this.roomMade();
        return;
      case 'ready':
        return;
    }
  }

  /** Lines left the journal: appends waiting for room go, in order; `drained()` callers may be done. */
  private roomMade(): void {
    while (
      this.waitingForRoom.length > 0 &&
      this.lineCount < this.options.maxLines &&
      !this.faults.has('append')
    )
      this.send(this.waitingForRoom.shift() as Waiting);
    if (this.lineCount === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** The storage thread is gone: appends not yet durable, and any made from now on, are refused. */
  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiting of [...this.inFlight.values(), ...this.waitingForRoom.splice(0)])
      waiting.reject(error);
    this.inFlight.clear();
    if (this.stopping) return;
    this.options.log.error({ err: error }, 'storage thread stopped; appends are refused');
    // Nothing can be made durable any more: the process is to exit so that a supervisor restarts it.
    this.options.onFailure(error);
  }
}
