import type { DeviceRecord } from './store.ts';

export interface WriteBehindOptions {
  /** Writes the seen devices' last-seen and latest values to the store. */
  saveSeen(devices: DeviceRecord[]): Promise<void>;
  /** Told which devices a flush writes, as it queues the write (cluster mode hands them on). */
  onSeen(devices: DeviceRecord[]): void;
  /** A write failed; without it, the failure is thrown as an uncaught exception. */
  onWriteError?: (error: Error) => void;
}

/**
 * The registry's writes to its store, behind the memory it answers from: queued writes chained so
 * that they reach the store in order, and the devices heard from since the last flush, written at
 * most once a second (`start`): ingest does no store work per reading.
 */
export class WriteBehind {
  private readonly options: WriteBehindOptions;
  /**
   * The devices whose last-seen or latest values changed since the last flush: one list per report
   * (`heard`), a device as often as it was heard, made unique at the flush. A set of them for the
   * second grew a new table every second (tens of thousands of devices in a busy town), and those
   * tables outlived the main thread's young-generation collections: 37 % of what the alert bench's
   * main thread promoted (docs/benchmarks.md, the fifteenth session).
   */
  private lists: DeviceRecord[][] = [];
  private timer?: NodeJS.Timeout;
  private writes: Promise<void> = Promise.resolve();

  constructor(options: WriteBehindOptions) {
    this.options = options;
  }

  /** Queues a write behind the ones before it; `what` names it in the error of a failed one. */
  write(what: string, save: () => Promise<void>): void {
    this.writes = this.writes.then(save).catch((error: Error) => {
      const failure = new Error(`registry: saving ${what} failed: ${error.message}`, { cause: error });
      const report =
        this.options.onWriteError ??
        (() =>
          queueMicrotask(() => {
            throw failure;
          }));
      report(failure);
    });
  }

  /** Resolves once every write queued so far is done. */
  written(): Promise<void> {
    return this.writes;
  }

  /** Devices were heard from (repeats allowed): written at the next flush. */
  heard(devices: DeviceRecord[]): void {
    if (devices.length > 0) this.lists.push(devices);
  }

  /** Writes the devices heard from since the last flush, each once; resolves once written. */
  flush(): Promise<void> {
    if (this.lists.length > 0) {
      const changed = [...new Set(this.lists.flat())];
      this.lists = [];
      this.options.onSeen(changed);
      // A failed write (a full or read-only disk) leaves them changed: the next flush tries again.
      this.write(`${changed.length} devices`, () =>
        this.options.saveSeen(changed).catch((error: Error) => {
          this.heard(changed);
          throw error;
        }),
      );
    }
    return this.written();
  }

  /** Flushes once a second until `stop`. */
  start(): void {
    this.timer = setInterval(() => void this.flush(), 1_000);
  }

  /** Stops flushing; resolves once the last flush is written. */
  stop(): Promise<void> {
    clearInterval(this.timer);
    return this.flush();
  }
}
