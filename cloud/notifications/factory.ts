import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import type { Channel } from './channel.ts';
import { type ChannelConfig, channelsConfig } from './config.ts';
import type { DeliveryLog } from './delivery-log.ts';
import { LogChannel } from './log-channel.ts';
import { MqttChannel, type Publish } from './mqtt.ts';
import { Notifier } from './notifier.ts';
import type { SentKeys } from './sent-keys.ts';
import { WebhookChannel } from './webhook.ts';

/** Where deliveries and sent keys are kept (the tenant's stores). */
export interface NotificationStores {
  deliveries: DeliveryLog;
  sent: SentKeys;
}

export interface NotificationDeps {
  stores: NotificationStores;
  log: Logger;
  counters: Counters;
  /** The broker's publish; required when an `mqtt` channel is configured. */
  publish?: Publish;
  /** Webhook backoff base; tests pass a few ms. */
  retryBaseMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

export interface Notifications extends NotificationStores {
  notifier: Notifier;
}

function createChannel(config: ChannelConfig, deps: NotificationDeps, deliveries: DeliveryLog): Channel {
  switch (config.type) {
    case 'webhook':
      return new WebhookChannel({
        ...config,
        deliveries,
        retryBaseMs: deps.retryBaseMs,
        fetch: deps.fetch,
        now: deps.now,
      });
    case 'mqtt': {
      const { publish } = deps;
      if (!publish) throw new Error(`notification channel "${config.name}": mqtt needs the broker's publish`);
      return new MqttChannel({ name: config.name, topic: config.topic, publish });
    }
    case 'log':
      return new LogChannel({ name: config.name, log: deps.log.child({ component: 'notifications' }) });
  }
}

/**
 * Builds the notifier from the channel configuration (validated with zod: a bad entry throws
 * a ZodError naming the field, at startup) over its stores.
 */
export function createNotifications(config: unknown, deps: NotificationDeps): Notifications {
  const channels = channelsConfig.parse(config);
  const { deliveries, sent } = deps.stores;
  const notifier = new Notifier({
    channels: channels.map((c) => createChannel(c, deps, deliveries)),
    sent,
    log: deps.log.child({ component: 'notifications' }),
    counters: deps.counters,
    now: deps.now,
  });
  return { notifier, deliveries, sent };
}
