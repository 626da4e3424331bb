/**
 * The batch keys a journal has seen: those of appends still on their way to disk, with the promise
 * of that append (a redelivery is acknowledged no earlier than the original), and, through `onDisk`,
 * those already stored.
 */
export class BatchKeys {
  private readonly pending = new Map<string, Promise<void>>();
  private readonly onDisk: (key: string) => boolean;

  constructor(onDisk: (key: string) => boolean) {
    this.onDisk = onDisk;
  }

  seen(key: string): Promise<void> | undefined {
    return this.pending.get(key) ?? (this.onDisk(key) ? Promise.resolve() : undefined);
  }

  /** Remembers the key of an append until it settles; returns the append. */
  track(key: string | undefined, append: Promise<void>): Promise<void> {
    if (key) {
      this.pending.set(key, append);
      const clear = () => this.pending.delete(key);
      append.then(clear, clear);
    }
    return append;
  }
}
