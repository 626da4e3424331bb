import { headers, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { CounterSink } from '../monitoring/counters.ts';
import { packItems } from './payloads.ts';

const originHeader = 'City-Node';

/** Well under NATS's default max_payload (1 MiB), headers included. */
const maxPayloadBytes = 512 * 1024;

export interface TenantFanOutOptions<T> {
  connection: () => NatsConnection;
  subject: string;
  /** What an item is: one that does not parse is counted and skipped. */
  item: z.ZodType<T>;
  /** Items wait up to this long to go out together: one message (or a few, if large) per tick. */
  tickMs: number;
  /** This node, so that its own messages coming back are skipped. */
  origin: string;
  /** Names its counters: `<name>_shared`, `<name>_from_other_nodes`, `<name>_malformed`. */
  name: string;
  log: Logger;
  counters: CounterSink;
}

/**
 * Items of one tenant that every node hands to every other, on core NATS (no stream: a node that
 * is away misses them and reads the shared store when it starts). What a node sends waits for its
 * tick and goes out as one JSON array per message, marked with the node; every other node takes
 * each message's valid items, in order.
 */
export class TenantFanOut<T> {
  private readonly options: TenantFanOutOptions<T>;
  private pending: string[] = [];
  private timer?: NodeJS.Timeout;
  private subscription?: Subscription;

  constructor(options: TenantFanOutOptions<T>) {
    this.options = options;
  }

  /** Hands an item to the other nodes at the next tick (it is serialised now, as it is now). */
  send(item: T): void {
    this.pending.push(JSON.stringify(item));
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.options.tickMs);
    this.timer.unref();
  }

  /** Publishes what waits now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const items = this.pending;
    if (items.length === 0) return;
    this.pending = [];
    const { subject, origin, name, log, counters } = this.options;
    const marked = headers();
    marked.set(originHeader, origin);
    try {
      const connection = this.options.connection();
      for (const payload of packItems(items, maxPayloadBytes))
        connection.publish(subject, payload, { headers: marked });
      counters.add(`${name}_shared`, items.length);
    } catch (error) {
      counters.add(`${name}_not_shared`, items.length);
      log.warn({ err: error, subject, items: items.length }, 'not shared with the other nodes');
    }
  }

  /** Takes the other nodes' items, a message's valid ones at a time; resolves once NATS has the subscription. */
  take(onItems: (items: T[]) => void): Promise<void> {
    const { subject, origin, name, log, counters, item } = this.options;
    const connection = this.options.connection();
    this.subscription = connection.subscribe(subject, {
      callback: (error, message) => {
        if (error) return log.warn({ err: error, subject }, 'subscription to the other nodes failed');
        if (message.headers?.get(originHeader) === origin) return;
        let items: unknown;
        try {
          items = JSON.parse(message.string());
        } catch {
          items = undefined;
        }
        const valid: T[] = [];
        let malformed = Array.isArray(items) ? 0 : 1;
        for (const raw of Array.isArray(items) ? items : []) {
          const parsed = item.safeParse(raw);
          if (parsed.success) valid.push(parsed.data);
          else malformed++;
        }
        if (malformed > 0) {
          counters.add(`${name}_malformed`, malformed);
          log.warn({ subject, malformed }, 'malformed items from another node; skipped');
        }
        counters.add(`${name}_from_other_nodes`, valid.length);
        if (valid.length > 0) onItems(valid);
      },
    });
    return connection.flush();
  }

  /** Sends what waits, and takes no more. */
  stop(): void {
    this.flush();
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
