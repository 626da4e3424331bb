import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import {
  type AlertDigest,
  type AlertNotification,
  alertDigest,
  alertNotification,
  type Channel,
} from './channel.ts';
import type { SentKey, SentKeys } from './sent-keys.ts';

export type NotifyOutcome = 'sent' | 'duplicate' | 'failed' | 'unknown-channel' | 'unsupported' | 'invalid';

export interface ChannelOutcome {
  channel: string;
  outcome: NotifyOutcome;
  error?: string;
}

export interface NotifierOptions {
  channels: readonly Channel[];
  sent: SentKeys;
  log: Logger;
  counters: Counters;
  now?: () => Date;
}

interface Message {
  key: Omit<SentKey, 'channel'>;
  context: Record<string, unknown>;
  send(channel: Channel): Promise<void> | undefined;
}

/**
 * Sends alert notifications and digests to named channels.
 *
 * - Never twice: each (alert, transition, channel) is claimed in sqlite before sending, so the
 *   same transition is sent at most once, also across restarts. A send that finally failed is
 *   not repeated either; the webhook delivery log and the `notifications_failed` counter show it.
 * - Channels are independent: one failing or slow channel does not hold back the others.
 * - Never throws: unknown channel names and invalid notifications are logged and counted.
 *
 * `notify()` resolves when every channel settled (a webhook may be retrying for a while);
 * the ingest path calls `dispatch()`, which returns at once, and shutdown calls `close()`.
 */
export class Notifier {
  private readonly channels = new Map<string, Channel>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly options: NotifierOptions;

  constructor(options: NotifierOptions) {
    this.options = options;
    for (const channel of options.channels) {
      if (this.channels.has(channel.name))
        throw new Error(`duplicate notification channel "${channel.name}"`);
      this.channels.set(channel.name, channel);
    }
  }

  channelNames(): string[] {
    return [...this.channels.keys()];
  }

  async notify(channelNames: readonly string[], notification: AlertNotification): Promise<ChannelOutcome[]> {
    const parsed = alertNotification.safeParse(notification);
    if (!parsed.success) return this.invalid(channelNames, 'notification', parsed.error.message);
    const n = parsed.data;
    return this.fanOut(channelNames, {
      key: { subjectId: n.alertId, transition: n.transition },
      context: { alertId: n.alertId, ruleId: n.ruleId, transition: n.transition, subject: n.subject.id },
      send: (channel) => channel.send(n),
    });
  }

  /** Sends one digest per channel; channels without `sendDigest` are skipped. */
  async digest(channelNames: readonly string[], digest: AlertDigest): Promise<ChannelOutcome[]> {
    const parsed = alertDigest.safeParse(digest);
    if (!parsed.success) return this.invalid(channelNames, 'digest', parsed.error.message);
    const d = parsed.data;
    return this.fanOut(channelNames, {
      key: { subjectId: d.digestId, transition: 'digest' },
      context: { digestId: d.digestId },
      send: (channel) => channel.sendDigest?.(d),
    });
  }

  /** `notify()` without waiting, for callers that must not block (ingest, the rules engine). */
  dispatch(channelNames: readonly string[], notification: AlertNotification): void {
    const running = this.notify(channelNames, notification);
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
  }

  /** Waits for everything `dispatch()` started. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Closes the channels (pending webhook retries end as failed) and waits for dispatched sends. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.channels.values()].map((c) => c.close?.()));
    await this.drain();
  }

  private invalid(channelNames: readonly string[], what: string, error: string): ChannelOutcome[] {
    this.options.counters.add('notifications_invalid');
    this.options.log.warn({ error }, `invalid ${what} not sent`);
    const names = Array.isArray(channelNames) ? channelNames : [];
    return names.map((channel: string) => ({ channel, outcome: 'invalid', error }));
  }

  private async fanOut(channelNames: readonly string[], message: Message): Promise<ChannelOutcome[]> {
    try {
      const unique = [...new Set(channelNames)];
      return await Promise.all(unique.map((name) => this.sendOne(name, message)));
    } catch (error) {
      this.options.log.error({ err: error, ...message.context }, 'notification fan-out failed');
      return [];
    }
  }

  private async sendOne(name: string, message: Message): Promise<ChannelOutcome> {
    const { counters, log, sent } = this.options;
    const context = { channel: name, ...message.context };
    const channel = this.channels.get(name);
    if (!channel) {
      counters.add('notifications_unknown_channel');
      log.warn(context, 'unknown notification channel');
      return { channel: name, outcome: 'unknown-channel' };
    }
    const key = { ...message.key, channel: name };
    const started = this.now();
    try {
      if (message.key.transition === 'digest' && !channel.sendDigest) {
        counters.add('notifications_unsupported');
        return { channel: name, outcome: 'unsupported' };
      }
      if (!(await sent.claim(key, started.toISOString()))) {
        counters.add('notifications_duplicate');
        log.debug(context, 'notification already sent');
        return { channel: name, outcome: 'duplicate' };
      }
      await message.send(channel);
      await sent.settle(key, 'sent', this.now().toISOString());
      counters.add('notifications_sent');
      counters.observe('notification_send_ms', this.now().getTime() - started.getTime());
      return { channel: name, outcome: 'sent' };
    } catch (error) {
      await sent.settle(key, 'failed', this.now().toISOString()).catch(() => undefined);
      counters.add('notifications_failed');
      log.warn({ ...context, err: error }, 'notification failed');
      return {
        channel: name,
        outcome: 'failed',
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
