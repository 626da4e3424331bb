import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { type Journal, type JournalEntry, type JournalRecord, toRecord } from '../ingest/journal.ts';
import type { Counters } from '../ingest/stats.ts';
import type { InfluxServer, InfluxSettings } from './influx.ts';
import type { DrainerOptions } from './journal-drainer.ts';

/** What the storage thread is started with (structured-cloned into it). */
export interface StorageSettings {
  path: string;
  keyTtlMs: number;
  influx: { settings: InfluxSettings; server: InfluxServer };
  drain: Omit<DrainerOptions, 'onRejected'>;
  logLevel: string;
}

/** Appends made in one turn of the event loop travel in one message (one wake-up of the thread). */
export type ToStorage =
  | { type: 'append'; items: { seq: number; record: JournalRecord }[] }
  | { type: 'stop' };

export type FromStorage =
  | { type: 'ready'; depth: number }
  | { type: 'synced'; seqs: number[] }
  | { type: 'failed'; seq: number; message: string }
  | { type: 'removed'; lines: number }
  | { type: 'add'; name: string; by: number }
  | { type: 'observe'; name: string; value: number }
  | { type: 'rejected'; lines: string[]; reason: string }
  | { type: 'stopped' };

export interface StorageThreadOptions extends StorageSettings {
  /** Beyond this many lines waiting for InfluxDB, appends wait (backpressure: slow PUBACKs). */
  maxLines: number;
  counters: Counters;
  log: Logger;
  now: () => Date;
  /** Lines InfluxDB refused as malformed (HTTP 400): to be kept as dead letters. */
  onRejected(lines: string[], reason: string): void;
}

interface Waiting {
  record: JournalRecord;
  resolve: () => void;
  reject: (error: Error) => void;
}

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
  private readonly seenStatement: StatementSync;
  private lineCount: number;
  private seq = 0;
  private readonly inFlight = new Map<number, Waiting>();
  private outgoing: { seq: number; record: JournalRecord }[] = [];
  private readonly waitingForRoom: Waiting[] = [];
  private readonly pendingKeys = new Map<string, Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private failure?: Error;
  private stopping = false;
  private readonly stopped: Promise<void>;

  private constructor(options: StorageThreadOptions, worker: Worker, depth: number) {
    this.options = options;
    this.worker = worker;
    this.lineCount = depth;
    this.keys = new DatabaseSync(options.path, { readOnly: true });
    this.seenStatement = this.keys.prepare('SELECT 1 FROM batch_keys WHERE key = ?');
    worker.on('message', (message: FromStorage) => this.receive(message));
    this.stopped = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('error', (error) => this.fail(error));
    worker.once('exit', () => this.fail(new Error('storage thread exited')));
  }

  /** Starts the storage thread; resolves once it has opened the journal and started draining. */
  static async start(options: StorageThreadOptions): Promise<StorageThread> {
    const settings: StorageSettings = {
      path: options.path,
      keyTtlMs: options.keyTtlMs,
      influx: options.influx,
      drain: options.drain,
      logLevel: options.logLevel,
    };
    const worker = new Worker(new URL('./storage-worker.ts', import.meta.url), { workerData: settings });
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
    const pending = this.pendingKeys.get(key);
    if (pending) return pending;
    return this.seenStatement.get(key) === undefined ? undefined : Promise.resolve();
  }

  append(entry: JournalEntry): Promise<void> {
    const record = toRecord(entry, this.options.now());
    const done = new Promise<void>((resolve, reject) => {
      const waiting = { record, resolve, reject };
      if (this.failure) reject(this.failure);
      else if (this.lineCount >= this.options.maxLines) this.waitingForRoom.push(waiting);
      else this.send(waiting);
    });
    const { key } = record;
    if (key) {
      this.pendingKeys.set(key, done);
      const clear = () => this.pendingKeys.delete(key);
      done.then(clear, clear);
    }
    return done;
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
    this.worker.postMessage({ type: 'stop' } satisfies ToStorage);
    await this.stopped;
    this.keys.close();
  }

  private send(waiting: Waiting): void {
    const seq = ++this.seq;
    this.inFlight.set(seq, waiting);
    this.lineCount += waiting.record.count;
    this.outgoing.push({ seq, record: waiting.record });
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
        const waiting = this.inFlight.get(message.seq);
        this.inFlight.delete(message.seq);
        this.lineCount -= waiting?.record.count ?? 0;
        waiting?.reject(new Error(`journal append failed: ${message.message}`));
        return;
      }
      case 'removed':
        this.lineCount -= message.lines;
        while (this.waitingForRoom.length > 0 && this.lineCount < this.options.maxLines)
          this.send(this.waitingForRoom.shift() as Waiting);
        if (this.lineCount === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        return;
      case 'add':
        counters.add(message.name, message.by);
        return;
      case 'observe':
        counters.observe(message.name, message.value);
        return;
      case 'rejected':
        this.options.onRejected(message.lines, message.reason);
        return;
      case 'ready':
      case 'stopped':
        return;
    }
  }

  /** The storage thread is gone: appends not yet durable, and any made from now on, are refused. */
  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    if (!this.stopping) this.options.log.error({ err: error }, 'storage thread stopped; appends are refused');
    for (const waiting of [...this.inFlight.values(), ...this.waitingForRoom.splice(0)])
      waiting.reject(error);
    this.inFlight.clear();
  }
}
