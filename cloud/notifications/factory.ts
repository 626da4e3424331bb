import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import type { Channel } from './channel.ts';
import { type ChannelConfig, channelsConfig } from './config.ts';
import { SqliteDeliveryLog } from './delivery-log.ts';
import { LogChannel } from './log-channel.ts';
import { MqttChannel, type Publish } from './mqtt.ts';
import { Notifier } from './notifier.ts';
import { SqliteSentKeys } from './sent-keys.ts';
import { WebhookChannel } from './webhook.ts';

export interface NotificationDeps {
  db: DatabaseSync;
  log: Logger;
  counters: Counters;
  /** The broker's publish; required when an `mqtt` channel is configured. */
  publish?: Publish;
  /** Webhook backoff base; tests pass a few ms. */
  retryBaseMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

export interface Notifications {
  notifier: Notifier;
  deliveries: SqliteDeliveryLog;
  sent: SqliteSentKeys;
}

function createChannel(
  config: ChannelConfig,
  deps: NotificationDeps,
  deliveries: SqliteDeliveryLog,
): Channel {
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
 * a ZodError naming the field, at startup) and its stores in the cloud's sqlite database.
 */
export function createNotifications(config: unknown, deps: NotificationDeps): Notifications {
  const channels = channelsConfig.parse(config);
  const deliveries = new SqliteDeliveryLog(deps.db);
  const sent = new SqliteSentKeys(deps.db);
  const notifier = new Notifier({
    channels: channels.map((c) => createChannel(c, deps, deliveries)),
    sent,
    log: deps.log.child({ component: 'notifications' }),
    counters: deps.counters,
    now: deps.now,
  });
  return { notifier, deliveries, sent };
}
