/** The part of a NATS KV bucket a lease uses (entries expire `ttl` after they were written). */
export interface LeaseKv {
  /** Writes the key only if it holds nothing (never written, expired or deleted); the new revision. */
  create(key: string, value: string): Promise<number>;
  /** Writes the key only if its last revision is `revision`; the new revision. */
  update(key: string, value: string, revision: number): Promise<number>;
  get(key: string): Promise<{ value: string; revision: number } | undefined>;
  delete(key: string): Promise<void>;
}

export type LeaseStep = 'acquired' | 'renewed' | 'lost' | 'waiting';

/**
 * A lease that frees itself: one key of a KV bucket whose entries expire `ttlMs` after they were
 * written. The holder renews it (a write conditional on the revision it last wrote) every third of
 * that; when it dies, its key expires and another node's `create` succeeds. The holder counts the
 * lease as its own only until `ttlMs` after it *sent* its last successful write: the server expires
 * the entry no sooner than that, so two nodes never both hold it (their clocks running at the same
 * rate). Any failed renewal drops the lease at once; a node whose own entry is still there (a
 * renewal whose answer was lost) takes it back.
 */
export class Lease {
  private readonly kv: LeaseKv;
  private readonly key: string;
  private readonly holder: string;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private revision?: number;
  private until = 0;

  constructor(options: { kv: LeaseKv; key: string; holder: string; ttlMs: number; now: () => number }) {
    this.kv = options.kv;
    this.key = options.key;
    this.holder = options.holder;
    this.ttlMs = options.ttlMs;
    this.now = options.now;
  }

  /** Whether this node holds the lease now. */
  holds(): boolean {
    return this.revision !== undefined && this.now() < this.until;
  }

  /** One round: renew the lease held, or try to take it; says what changed. */
  async step(): Promise<LeaseStep> {
    const sentAt = this.now();
    if (this.revision !== undefined) {
      if (sentAt >= this.until) return this.drop();
      try {
        this.hold(await this.kv.update(this.key, this.holder, this.revision), sentAt);
        return 'renewed';
      } catch {
        return this.drop();
      }
    }
    try {
      this.hold(await this.kv.create(this.key, this.holder), sentAt);
      return 'acquired';
    } catch {
      return this.retake(sentAt);
    }
  }

  /** Our own entry is still there (our last answer was lost, or we restarted within the TTL). */
  private async retake(sentAt: number): Promise<LeaseStep> {
    try {
      const entry = await this.kv.get(this.key);
      if (entry?.value !== this.holder) return 'waiting';
      this.hold(await this.kv.update(this.key, this.holder, entry.revision), sentAt);
      return 'acquired';
    } catch {
      return 'waiting';
    }
  }

  private hold(revision: number, sentAt: number): void {
    this.revision = revision;
    this.until = sentAt + this.ttlMs;
  }

  private drop(): LeaseStep {
    this.revision = undefined;
    return 'lost';
  }

  /** Gives the lease up (a clean stop): another node takes it at its next round, not after the TTL. */
  async release(): Promise<void> {
    const held = this.holds();
    this.revision = undefined;
    // Past our deadline the entry may be another node's: only ours is deleted.
    if (held) await this.kv.delete(this.key).catch(() => undefined);
  }
}
