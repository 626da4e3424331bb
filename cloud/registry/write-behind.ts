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
  /** Devices whose last-seen or latest values changed since the last flush. */
  private readonly dirty = new Set<DeviceRecord>();
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

  /** A device was heard from: written at the next flush. */
  seen(device: DeviceRecord): void {
    this.dirty.add(device);
  }

  /** Writes the devices heard from since the last flush; resolves once written. */
  flush(): Promise<void> {
    if (this.dirty.size > 0) {
      const changed = [...this.dirty];
      this.dirty.clear();
      this.options.onSeen(changed);
      // A failed write (a full or read-only disk) leaves them changed: the next flush tries again.
      this.write(`${changed.length} devices`, () =>
        this.options.saveSeen(changed).catch((error: Error) => {
          for (const device of changed) this.dirty.add(device);
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
