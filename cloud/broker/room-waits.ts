/**
 * Messages that wait for their tenant's journal to take messages again (full while InfluxDB is
 * away, or its disk failing) before they are applied at all: while a journal refuses, nothing of its
 * tenant is decoded, evaluated or counted as accepted, so what the platform shows is what it holds.
 * Each tenant's messages go in the order they came, as soon as its journal has room; whether it has
 * is asked every `everyMs` while any wait (a journal has no event for it that every kind shares: the
 * node's SQLite journal, the cluster's JetStream stream). The broker holds the reads of a gateway
 * whose message waits here, so what waits is at most one read of each of the tenant's gateways.
 */
export class RoomWaits {
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly takesMessages: (tenant: string) => boolean;
  private readonly everyMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(takesMessages: (tenant: string) => boolean, everyMs: number) {
    this.takesMessages = takesMessages;
    this.everyMs = everyMs;
  }

  /**
   * Runs `apply` now when the tenant's journal has room and none of its messages wait; otherwise it
   * runs after those, once there is room. Says whether it has to wait.
   */
  admit(tenant: string, apply: () => void): boolean {
    const queue = this.waiting.get(tenant);
    if (!queue && this.takesMessages(tenant)) {
      apply();
      return false;
    }
    if (queue) queue.push(apply);
    else this.waiting.set(tenant, [apply]);
    this.timer ??= setInterval(() => this.check(), this.everyMs);
    return true;
  }

  private check(): void {
    for (const [tenant, queue] of this.waiting) {
      while (queue.length > 0 && this.takesMessages(tenant)) queue.shift()?.();
      if (queue.length === 0) this.waiting.delete(tenant);
    }
    if (this.waiting.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** At shutdown: what waits is never applied nor acknowledged, so its gateways send it again. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.waiting.clear();
  }
}
