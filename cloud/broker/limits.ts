/**
 * Token buckets keyed by a name (an address, a gateway): `take` says whether one more event fits in
 * the rate. Pure apart from the clock passed in, so it is tested with plain numbers.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perSecond: number;
  private readonly burst: number;

  constructor(perSecond: number, burst: number) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  take(key: string, nowMs: number): boolean {
    const bucket = this.refilled(key, nowMs);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return allowed;
  }

  /**
   * Reserves one event for `key`: how many ms it must wait to fit the rate (0: it fits now), or
   * undefined when that would be more than `maxWaitMs` (then nothing is reserved). The token is taken
   * at once, so events reserved one after another wait in turn.
   */
  reserve(key: string, nowMs: number, maxWaitMs: number): number | undefined {
    const bucket = this.refilled(key, nowMs);
    const waitMs = bucket.tokens >= 1 ? 0 : ((1 - bucket.tokens) / this.perSecond) * 1000;
    if (waitMs > maxWaitMs) return undefined;
    bucket.tokens -= 1;
    return waitMs;
  }

  /** The key's bucket, refilled for the time since it was last used (reservations may leave it below 0). */
  private refilled(key: string, nowMs: number): { tokens: number; at: number } {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: nowMs };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.perSecond);
    bucket.at = nowMs;
    // Idle keys are forgotten before this one is (re)stored, so that it is never the one dropped.
    if (this.buckets.size >= 100_000) this.forgetIdle(nowMs);
    this.buckets.set(key, bucket);
    return bucket;
  }

  /**
   * Gives back one event to `key` (up to the burst): the event did not count, e.g. a connection the
   * broker itself ended while it held the gateway's publish for a storage fault.
   */
  give(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.burst, bucket.tokens + 1);
  }

  /** Drops full buckets (keys idle long enough to have refilled), bounding memory. */
  private forgetIdle(nowMs: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((nowMs - bucket.at) / 1000) * this.perSecond >= this.burst)
        this.buckets.delete(key);
    }
  }
}

/**
 * Events per second, averaged over the last `windowS` whole seconds (the second under way is not
 * counted yet): how fast a tenant's gateways are sending, next to its quota. Pure apart from the
 * clock passed in.
 */
export class RateMeter {
  private readonly windowS: number;
  /** Events of each second, in a ring indexed by the second modulo the window. */
  private readonly counts: number[];
  /** Which second each slot of the ring holds. */
  private readonly seconds: number[];

  constructor(windowS: number) {
    this.windowS = windowS;
    this.counts = new Array<number>(windowS).fill(0);
    this.seconds = new Array<number>(windowS).fill(Number.NaN);
  }

  mark(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % this.windowS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] as number) + 1;
  }

  perSecond(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    let events = 0;
    for (let slot = 0; slot < this.windowS; slot++) {
      const second = this.seconds[slot] as number;
      if (second < current && second >= current - this.windowS) events += this.counts[slot] as number;
    }
    return events / this.windowS;
  }
}
