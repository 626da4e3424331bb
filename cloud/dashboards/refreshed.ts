/**
 * Answers computed at most once per `maxAgeMs` per key, served from memory meanwhile: a request
 * finding its answer older than that gets it at once and starts one computation in the background
 * (stale while revalidate); only the very first request for a key waits. Failed refreshes keep the
 * old answer and are reported; at most `maxKeys` keys are kept (the least recently used goes).
 */
export class Refreshed<T> {
  private readonly entries = new Map<string, { value?: T; at: number; pending?: Promise<T> }>();
  private readonly options: {
    maxAgeMs: number;
    maxKeys: number;
    now: () => number;
    onError: (error: unknown, key: string) => void;
  };

  constructor(options: Refreshed<T>['options']) {
    this.options = options;
  }

  async get(key: string, compute: () => Promise<T>): Promise<T> {
    const { maxAgeMs, maxKeys, now, onError } = this.options;
    let entry = this.entries.get(key);
    if (entry) this.entries.delete(key);
    else entry = { at: Number.NEGATIVE_INFINITY };
    this.entries.set(key, entry);
    if (this.entries.size > maxKeys) this.entries.delete(this.entries.keys().next().value as string);
    const current = entry;
    if (!current.pending && now() - current.at >= maxAgeMs) {
      const started = now();
      current.pending = compute().then(
        (value) => {
          current.value = value;
          current.at = started;
          current.pending = undefined;
          return value;
        },
        (error: unknown) => {
          current.pending = undefined;
          if (current.value === undefined) this.entries.delete(key);
          else onError(error, key);
          throw error;
        },
      );
      // A background refresh's failure is reported above, not left unhandled.
      if (current.value !== undefined) current.pending.catch(() => {});
    }
    if (current.value !== undefined) return current.value;
    return current.pending as Promise<T>;
  }
}
