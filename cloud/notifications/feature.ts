import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import { createNotifications, type NotificationStores, type Notifications } from './factory.ts';
import type { Publish } from './mqtt.ts';
import type { Notifier } from './notifier.ts';

/** The notification channels: the file's list, or a log channel and MQTT on the tenant's alert topic. */
async function readNotificationChannels(path: string | undefined, alertTopic: string): Promise<unknown> {
  if (!path)
    return [
      { name: 'log', type: 'log' },
      { name: 'mqtt', type: 'mqtt', topic: alertTopic },
    ];
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`notification channels file ${path}: ${(error as Error).message}`);
  }
}

export interface NotificationsFeatureDeps {
  /** The channels file (NOTIFICATIONS_FILE); without one, the log and MQTT channels. */
  channelsFile: string | undefined;
  stores: NotificationStores;
  log: Logger;
  counters: Counters;
  now: () => Date;
  /** The broker's publish, for the MQTT channel. */
  publish: Publish;
  /** The MQTT channel's topic when no channels file is given (city/v1/alerts for the default tenant). */
  alertTopic: string;
}

/** The notifier every alert transition and digest goes through; closed (deliveries finished) at stop. */
export function notificationsFeature(deps: NotificationsFeatureDeps) {
  let notifications: Notifications | undefined;
  const running = () => {
    if (!notifications) throw new Error('notifications are not started');
    return notifications;
  };
  return {
    name: 'notifications',
    get notifier(): Notifier {
      return running().notifier;
    },
    /** The delivery log and the sent keys, which the pruning job keeps to their retention. */
    stores: deps.stores,
    async start() {
      const channels = await readNotificationChannels(deps.channelsFile, deps.alertTopic);
      notifications = createNotifications(channels, {
        stores: deps.stores,
        log: deps.log,
        counters: deps.counters,
        now: deps.now,
        publish: deps.publish,
      });
    },
    stop: () => running().notifier.close(),
  };
}
