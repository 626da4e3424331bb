/** One key's items, ready for one write: their lines add up to `lines`. */
export interface LineBatch<T> {
  key: string;
  items: T[];
  lines: number;
}

export interface LineBatcherLimits {
  /** A batch leaves once it holds this many lines (more only when one item alone has more). */
  lines: number;
  /** Or once its first item has waited this long, however few lines it holds. */
  lingerMs: number;
}

interface Open<T> {
  items: T[];
  lines: number;
  /** When its first item came (ms). */
  since: number;
}

/**
 * Groups items (the journal's messages) by key (their tenant: a tenant's lines go to its own
 * database, one write each) into batches of about `lines` lines: a batch leaves as soon as it is
 * full, or `lingerMs` after its first item came when the traffic is too thin to fill it. An item
 * that would take a batch past `lines` starts the next one (the full one leaves first); an item of
 * `lines` or more leaves alone, at once. Pure: the caller gives the time and arms its timer from
 * `dueIn`.
 */
export class LineBatcher<T> {
  private readonly limits: LineBatcherLimits;
  private readonly open = new Map<string, Open<T>>();

  constructor(limits: LineBatcherLimits) {
    this.limits = limits;
  }

  /** Adds an item of `lines` lines; returns the batches it completed (none, one or two). */
  add(key: string, item: T, lines: number, now: number): LineBatch<T>[] {
    const complete: LineBatch<T>[] = [];
    let batch = this.open.get(key);
    if (batch && batch.lines + lines > this.limits.lines) {
      complete.push(this.close(key, batch));
      batch = undefined;
    }
    if (!batch) {
      batch = { items: [], lines: 0, since: now };
      this.open.set(key, batch);
    }
    batch.items.push(item);
    batch.lines += lines;
    if (batch.lines >= this.limits.lines) complete.push(this.close(key, batch));
    return complete;
  }

  /** Milliseconds until the first open batch is due: 0 if one is, undefined if none is open. */
  dueIn(now: number): number | undefined {
    let soonest: number | undefined;
    for (const batch of this.open.values()) {
      const left = Math.max(0, batch.since + this.limits.lingerMs - now);
      if (soonest === undefined || left < soonest) soonest = left;
    }
    return soonest;
  }

  /** The open batches whose first item has waited `lingerMs`. */
  due(now: number): LineBatch<T>[] {
    return [...this.open]
      .filter(([, batch]) => now - batch.since >= this.limits.lingerMs)
      .map(([key, batch]) => this.close(key, batch));
  }

  /** Every open batch, due or not (when the worker stops). */
  drain(): LineBatch<T>[] {
    return [...this.open].map(([key, batch]) => this.close(key, batch));
  }

  private close(key: string, batch: Open<T>): LineBatch<T> {
    this.open.delete(key);
    return { key, items: batch.items, lines: batch.lines };
  }
}

/**
 * Lines of line protocol in a message's bytes (newline-separated, as the journal joins them); an
 * empty message counts as one, so that a batch of `n` lines never holds more than `n` messages.
 */
export function lineCount(data: Uint8Array): number {
  let lines = 1;
  for (const byte of data) if (byte === 10) lines++;
  return lines;
}
