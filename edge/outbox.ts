/**
 * Items (readings or events) waiting to be published, oldest first, bounded in count. When full,
 * the oldest items are dropped and counted with the time range they covered, so a long broker
 * outage never grows memory without bound and the gap is reported in the heartbeat.
 */
export interface DroppedRange {
  count: number;
  from?: string;
  to?: string;
}

export class MemoryOutbox<T extends { ts: string }> {
  private items: T[] = [];
  private head = 0;
  private readonly maxItems: number;
  readonly dropped: DroppedRange = { count: 0 };

  constructor(maxItems: number) {
    this.maxItems = maxItems;
  }

  get depth(): number {
    return this.items.length - this.head;
  }

  push(items: readonly T[]): void {
    for (const item of items) this.items.push(item);
    const excess = this.depth - this.maxItems;
    if (excess > 0) {
      const lost = this.items.slice(this.head, this.head + excess);
      this.head += excess;
      this.dropped.count += excess;
      this.dropped.from ??= lost[0]?.ts;
      this.dropped.to = lost[lost.length - 1]?.ts;
    }
    this.compact();
  }

  /** Takes up to `max` of the oldest items out; the caller owns them from now on. */
  take(max: number): T[] {
    const taken = this.items.slice(this.head, this.head + max);
    this.head += taken.length;
    this.compact();
    return taken;
  }

  private compact(): void {
    if (this.head > 1_024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
