/**
 * Batch keys this node had confirmed by JetStream lately, so that a redelivery arriving here is
 * acknowledged without being applied again (registry, rules). Bounded in time (the stream's
 * duplicate window: JetStream itself drops the copy within it) and in number (the oldest go first):
 * a redelivery this node no longer remembers is applied again and stored once all the same.
 */
export class RecentKeys {
  private readonly keys = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly max: number;

  constructor(options: { ttlMs: number; max: number }) {
    this.ttlMs = options.ttlMs;
    this.max = options.max;
  }

  add(key: string, at: number): void {
    this.keys.delete(key);
    this.keys.set(key, at);
    while (this.keys.size > this.max) this.keys.delete(this.keys.keys().next().value as string);
  }

  has(key: string, now: number): boolean {
    const at = this.keys.get(key);
    if (at === undefined) return false;
    if (now - at < this.ttlMs) return true;
    this.keys.delete(key);
    return false;
  }

  get size(): number {
    return this.keys.size;
  }
}
