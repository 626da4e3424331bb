import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AlertDigest, AlertNotification, Channel } from './channel.ts';
import type { DeliveryLog } from './delivery-log.ts';
import { type AttemptResult, backoffDelay, isDelivered, isRetryable } from './retry.ts';
import { deliveryHeader, eventHeader, signatureHeader, signBody } from './signature.ts';

export interface WebhookChannelOptions {
  name: string;
  url: string;
  /** HMAC-SHA256 key of the X-City-Signature header. */
  secret: string;
  deliveries: DeliveryLog;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** Per attempt. */
  timeoutMs?: number;
  /** Backoff before the second attempt (doubling, with jitter); tests pass a few ms. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
  random?: () => number;
}

export class WebhookDeliveryError extends Error {
  readonly deliveryId: string;
  constructor(channel: string, deliveryId: string, attempts: number, last: AttemptResult) {
    const reason = 'error' in last ? last.error : `HTTP ${last.status}`;
    super(`webhook ${channel}: delivery ${deliveryId} failed after ${attempts} attempt(s): ${reason}`);
    this.deliveryId = deliveryId;
  }
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (error instanceof Error && error.name === 'AbortError') return 'channel closed';
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}

/**
 * POSTs each notification as JSON, signed with HMAC-SHA256 over the raw body, and retries network
 * errors, 5xx and 429 with exponential backoff and jitter. Every delivery and attempt is written
 * to the delivery log; one delivery keeps its X-City-Delivery id across retries, so a receiver
 * can drop a retry it already processed.
 *
 * `send()` resolves when delivered and rejects when finally failed, which can take the whole
 * backoff: callers on a hot path (ingest) must not await it. `Notifier.dispatch()` does that.
 */
export class WebhookChannel implements Channel {
  readonly name: string;
  private readonly options: Required<Omit<WebhookChannelOptions, 'name'>>;
  private readonly closing = new AbortController();

  constructor(options: WebhookChannelOptions) {
    this.name = options.name;
    this.options = {
      url: options.url,
      secret: options.secret,
      deliveries: options.deliveries,
      maxAttempts: options.maxAttempts ?? 5,
      timeoutMs: options.timeoutMs ?? 10_000,
      retryBaseMs: options.retryBaseMs ?? 1_000,
      retryMaxMs: options.retryMaxMs ?? 60_000,
      fetch: options.fetch ?? globalThis.fetch,
      now: options.now ?? (() => new Date()),
      random: options.random ?? Math.random,
    };
  }

  send(notification: AlertNotification): Promise<void> {
    return this.deliver('alert', notification.alertId, notification.transition, notification);
  }

  sendDigest(digest: AlertDigest): Promise<void> {
    return this.deliver('digest', digest.digestId, 'digest', digest);
  }

  /** Aborts running attempts and pending retries; their deliveries end as failed. */
  async close(): Promise<void> {
    this.closing.abort();
  }

  private async deliver(event: 'alert' | 'digest', subjectId: string, transition: string, payload: unknown) {
    const { deliveries, maxAttempts, retryBaseMs, retryMaxMs, random } = this.options;
    const id = randomUUID();
    const body = JSON.stringify(payload);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'city-sensor-platform-notifier',
      [signatureHeader]: signBody(this.options.secret, body),
      [deliveryHeader]: id,
      [eventHeader]: event,
    };
    await deliveries.start({ id, channel: this.name, event, subjectId, transition }, this.now());
    for (let attempt = 1; ; attempt++) {
      const result = await this.post(body, headers);
      const delivered = isDelivered(result);
      const final =
        delivered || !isRetryable(result) || attempt >= maxAttempts || this.closing.signal.aborted;
      const state = delivered ? 'delivered' : final ? 'failed' : 'pending';
      const outcome = 'error' in result ? { error: result.error } : { status: result.status };
      await deliveries.attempt(id, { ...outcome, state }, this.now());
      if (delivered) return;
      if (final) throw new WebhookDeliveryError(this.name, id, attempt, result);
      const retryAfter = 'status' in result ? result.retryAfter : undefined;
      const delay = backoffDelay(attempt, { baseMs: retryBaseMs, maxMs: retryMaxMs }, random, retryAfter);
      try {
        await sleep(delay, undefined, { signal: this.closing.signal });
      } catch {
        await deliveries.finish(id, 'failed', 'channel closed before the next attempt', this.now());
        throw new WebhookDeliveryError(this.name, id, attempt, { error: 'channel closed' });
      }
    }
  }

  private async post(body: string, headers: Record<string, string>): Promise<AttemptResult> {
    const { url, timeoutMs } = this.options;
    try {
      const response = await this.options.fetch(url, {
        method: 'POST',
        headers,
        body,
        // A redirect is answered as a failure, not followed: the signed body goes only to `url`.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.closing.signal]),
      });
      await response.body?.cancel().catch(() => {});
      return { status: response.status, retryAfter: response.headers.get('retry-after') };
    } catch (error) {
      return { error: describe(error, timeoutMs) };
    }
  }

  private now(): string {
    return this.options.now().toISOString();
  }
}
