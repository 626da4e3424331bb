import { describe, expect, it } from 'vitest';
import { Counters } from '../../../../cloud/monitoring/counters.ts';
import { channelsConfig } from '../../../../cloud/notifications/config.ts';
import { SqliteDeliveryLog } from '../../../../cloud/notifications/delivery-log.ts';
import { createNotifications } from '../../../../cloud/notifications/factory.ts';
import { SqliteSentKeys } from '../../../../cloud/notifications/sent-keys.ts';
import { openSqlite } from '../../../../cloud/sqlite/sqlite.ts';
import { alert, scriptedFetch, silentLog } from './fixtures.ts';

const webhook = { name: 'ops', type: 'webhook', url: 'https://hooks.example/a', secret: 'sixteen-chars-ok' };

const issuePaths = (value: unknown) =>
  channelsConfig.safeParse(value).error?.issues.map((i) => i.path.join('.')) ?? [];

describe('channel configuration', () => {
  it('accepts the three channel types and fills webhook defaults', () => {
    const parsed = channelsConfig.parse([
      webhook,
      { name: 'bus', type: 'mqtt', topic: 'city/v1/alerts' },
      { name: 'journal', type: 'log' },
    ]);
    expect(parsed[0]).toMatchObject({ maxAttempts: 5, timeoutMs: 10_000 });
    expect(parsed.map((c) => c.type)).toEqual(['webhook', 'mqtt', 'log']);
  });

  it('names the bad field', () => {
    expect(issuePaths([{ ...webhook, url: 'ftp://x' }])).toEqual(['0.url']);
    expect(issuePaths([{ ...webhook, secret: 'short' }])).toEqual(['0.secret']);
    expect(issuePaths([{ ...webhook, maxAttempts: 0 }])).toEqual(['0.maxAttempts']);
    expect(issuePaths([{ name: 'bus', type: 'mqtt', topic: 'city/+/alerts' }])).toEqual(['0.topic']);
    expect(issuePaths([{ name: 'x', type: 'sms' }])).toEqual(['0.type']);
    expect(issuePaths([{ name: 'journal', type: 'log', extra: 1 }])).toEqual(['0']);
    expect(issuePaths([webhook, { name: 'ops', type: 'log' }])).toEqual(['1.name']);
  });
});

describe('createNotifications', () => {
  const deps = () => {
    const db = openSqlite(':memory:');
    return {
      stores: { deliveries: new SqliteDeliveryLog(db), sent: new SqliteSentKeys(db) },
      log: silentLog,
      counters: new Counters(),
    };
  };

  it('builds a notifier with the configured channels', async () => {
    const { fetch, calls } = scriptedFetch([200]);
    const published: string[] = [];
    const { notifier, deliveries } = createNotifications(
      [webhook, { name: 'bus', type: 'mqtt', topic: 'city/v1/alerts' }, { name: 'journal', type: 'log' }],
      { ...deps(), fetch, publish: async (topic) => void published.push(topic) },
    );
    expect(notifier.channelNames()).toEqual(['ops', 'bus', 'journal']);
    const outcomes = await notifier.notify(['ops', 'bus', 'journal'], alert());
    expect(outcomes.map((o) => o.outcome)).toEqual(['sent', 'sent', 'sent']);
    expect(calls).toHaveLength(1);
    expect(published).toEqual(['city/v1/alerts']);
    expect(await deliveries.list()).toHaveLength(1);
  });

  it('fails at startup on a bad configuration or an mqtt channel without publish', () => {
    expect(() => createNotifications([{ ...webhook, url: 'nope' }], deps())).toThrow();
    expect(() => createNotifications([{ name: 'bus', type: 'mqtt', topic: 't' }], deps())).toThrow(
      "mqtt needs the broker's publish",
    );
  });
});
