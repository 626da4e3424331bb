import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { gatewayTopic } from '../shared/topics.ts';
import type { Outbox, OutboxBatch } from './outbox/outbox.ts';

export interface PublisherOptions {
  gatewayId: string;
  outbox: Outbox;
  log: Logger;
  now: () => Date;
  maxBatchItems: number;
  maxInFlight: number;
  /** Backlog (what queued up while the link was down) is replayed at most this fast. */
  replayItemsPerS: number;
  /** Fault injection: a malformed payload to send beside a real batch, or undefined. */
  malformed?: () => Buffer | undefined;
  /** Told each time the broker acknowledged a batch (it took the gateway's data). */
  onAcknowledged?: () => void;
}

export interface PublisherStats {
  publishedReadings: number;
  publishedEvents: number;
  publishedBatches: number;
}

/**
 * Moves batches from the outbox to the broker at QoS 1 with a window of unacknowledged batches.
 * After a reconnect, what was queued before is backlog: it is replayed oldest first at a bounded
 * rate, while newer (live) items go out ahead of it. A batch leaves the outbox only on PUBACK.
 */
export class Publisher {
  readonly stats: PublisherStats = { publishedReadings: 0, publishedEvents: 0, publishedBatches: 0 };
  private readonly options: PublisherOptions;
  private client?: MqttClient;
  private backlogMark = 0;
  private tokens = 0;
  private lastRefill = Date.now();
  private retryTimer?: NodeJS.Timeout;
  private idleWaiters: (() => void)[] = [];

  constructor(options: PublisherOptions) {
    this.options = options;
  }

  /** Called on every (re)connect: everything queued so far is backlog. */
  connected(client: MqttClient): void {
    this.client = client;
    this.backlogMark = this.options.outbox.lastSeq;
    this.tokens = this.options.replayItemsPerS;
    this.lastRefill = Date.now();
    this.pump();
  }

  pump(): void {
    const { outbox, maxInFlight, maxBatchItems } = this.options;
    const client = this.client;
    while (client?.connected && outbox.inFlightCount < maxInFlight) {
      const live = outbox.next(maxBatchItems, this.backlogMark);
      if (live) {
        this.publish(client, live);
        continue;
      }
      if (!this.takeTokens()) break;
      const backlog = outbox.next(maxBatchItems);
      if (!backlog) break;
      this.tokens -= backlog.items.length;
      this.publish(client, backlog);
    }
    if (outbox.depth === 0 && outbox.inFlightCount === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /** Refills the replay budget; when it is spent, schedules the next pump for when it will not be. */
  private takeTokens(): boolean {
    const { replayItemsPerS } = this.options;
    const now = Date.now();
    this.tokens = Math.min(replayItemsPerS, this.tokens + ((now - this.lastRefill) / 1000) * replayItemsPerS);
    this.lastRefill = now;
    if (this.tokens > 0) return true;
    if (!this.retryTimer) {
      const wait = Math.max(10, Math.ceil((-this.tokens / replayItemsPerS) * 1000) + 10);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, wait);
    }
    return false;
  }

  private publish(client: MqttClient, batch: OutboxBatch): void {
    const { gatewayId, outbox, log, now } = this.options;
    const topic = gatewayTopic(gatewayId, batch.channel);
    const bad = this.options.malformed?.();
    if (bad) client.publish(topic, bad, { qos: 1 });
    const body = {
      v: 1,
      gatewayId,
      sentAt: now().toISOString(),
      batchId: batch.id,
      [batch.channel === 'telemetry' ? 'readings' : 'events']: batch.items,
    };
    // The callbacks keep the batch's id and size, not its items: kept until the PUBACK, the items
    // would outlive the young generation and be garbage in the old one (issue 18, edge memory).
    const { id, channel } = batch;
    const count = batch.items.length;
    // mqtt.js keeps an unacknowledged QoS 1 message and resends it after a reconnect, so the promise
    // settles once the broker has acknowledged it, or fails when the client is ended.
    client.publishAsync(topic, JSON.stringify(body), { qos: 1 }).then(
      () => {
        outbox.ack(id);
        this.options.onAcknowledged?.();
        this.stats.publishedBatches++;
        if (channel === 'telemetry') this.stats.publishedReadings += count;
        else this.stats.publishedEvents += count;
        this.pump();
      },
      (error: Error) => {
        outbox.release(id);
        log.warn({ err: error, batchId: id }, 'batch not acknowledged; it stays in the outbox');
      },
    );
  }

  /** Resolves when the outbox is empty and nothing is awaiting acknowledgement. */
  drained(): Promise<void> {
    const { outbox } = this.options;
    if (outbox.depth === 0 && outbox.inFlightCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.client = undefined;
  }
}
