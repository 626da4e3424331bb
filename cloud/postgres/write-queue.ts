/**
 * Writes applied one after another in the order they were queued, for stores that answer from memory
 * at once and write behind: a write starts when the one before it settled, whether it succeeded or
 * not, and its caller gets its own outcome.
 */
export class WriteQueue {
  private last: Promise<unknown> = Promise.resolve();

  push<T>(write: () => Promise<T>): Promise<T> {
    const next = this.last.then(write, write);
    this.last = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every write queued so far has settled. */
  settled(): Promise<void> {
    return this.last.then(() => undefined);
  }
}
