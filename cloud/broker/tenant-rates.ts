import { RateLimiter, RateMeter } from './limits.ts';

/**
 * How long a message over its tenant's messages/s quota may wait for its turn. While it waits, the
 * broker reads nothing more from its connection (see `ReadPauses`), so the tenant is slowed to its
 * quota and the rest of its traffic waits in its gateways, not in the cloud. Refusing instead would
 * close the connection (MQTT 3.1.1 has no negative PUBACK), and every reconnect costs a scrypt check
 * of the gateway's secret: work a flooding town would make the whole installation do. Only a message
 * that would wait longer than this is refused (a tenant whose gateways, one read each, hold more than
 * this much of its quota). Below the 7.5 s in which aedes closes an unread connection with the edge
 * agent's shortest keepalive (5 s).
 */
const tenantHoldMs = 5_000;

/**
 * Each tenant's messages/s quota (a token bucket rebuilt when the quota changes) and the rate of its
 * accepted messages (what its usage shows).
 */
export class TenantRates {
  private readonly quotas = new Map<string, { perSecond: number; limiter: RateLimiter }>();
  private readonly meters = new Map<string, RateMeter>();

  /**
   * Reserves one message of `tenant` in its quota: the ms it waits to fit (0: now), or undefined when
   * it would wait longer than `tenantHoldMs`.
   */
  reserve(tenant: string, perSecond: number, nowMs: number): number | undefined {
    let rate = this.quotas.get(tenant);
    if (rate?.perSecond !== perSecond) {
      rate = { perSecond, limiter: new RateLimiter(perSecond, perSecond * 2) };
      this.quotas.set(tenant, rate);
    }
    return rate.limiter.reserve(tenant, nowMs, tenantHoldMs);
  }

  /** One message of `tenant` was accepted. */
  mark(tenant: string, nowMs: number): void {
    let meter = this.meters.get(tenant);
    if (!meter) {
      meter = new RateMeter(10);
      this.meters.set(tenant, meter);
    }
    meter.mark(nowMs);
  }

  /** A tenant's accepted messages per second, over the last 10 s. */
  accepted(tenant: string, nowMs: number): number {
    return this.meters.get(tenant)?.perSecond(nowMs) ?? 0;
  }
}
