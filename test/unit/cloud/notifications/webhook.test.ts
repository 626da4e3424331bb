import { describe, expect, it } from 'vitest';
import { SqliteDeliveryLog } from '../../../../cloud/notifications/delivery-log.ts';
import { WebhookChannel, WebhookDeliveryError } from '../../../../cloud/notifications/webhook.ts';
import { openSqlite } from '../../../../cloud/sqlite/sqlite.ts';
import { alert, scriptedFetch } from './fixtures.ts';

function webhook(answers: (number | Error)[], options: { maxAttempts?: number; retryBaseMs?: number } = {}) {
  const deliveries = new SqliteDeliveryLog(openSqlite(':memory:'));
  const { fetch, calls } = scriptedFetch(answers);
  const channel = new WebhookChannel({
    name: 'ops',
    url: 'https://hooks.example/alerts',
    secret: 'a-webhook-secret-of-some-length',
    deliveries,
    fetch,
    retryBaseMs: 1,
    ...options,
  });
  return { channel, calls, deliveries };
}

const headers = (calls: { init: RequestInit }[], name: string) =>
  calls.map((c) => (c.init.headers as Record<string, string>)[name]);

describe('webhook channel', () => {
  it('retries 5xx and 429, then records the delivery as delivered', async () => {
    const { channel, calls, deliveries } = webhook([503, 429, 500, 200]);
    await channel.send(alert());
    expect(calls).toHaveLength(4);
    expect(new Set(headers(calls, 'X-City-Delivery')).size).toBe(1);
    expect(await deliveries.list()).toMatchObject([
      {
        channel: 'ops',
        event: 'alert',
        subjectId: 'alert-1',
        transition: 'fired',
        state: 'delivered',
        attempts: 4,
        lastStatus: 200,
      },
    ]);
  });

  it.each([400, 401, 404, 422, 302])('gives up at once on HTTP %i', async (status) => {
    const { channel, calls, deliveries } = webhook([status, 200]);
    await expect(channel.send(alert())).rejects.toThrow(`after 1 attempt(s): HTTP ${status}`);
    expect(calls).toHaveLength(1);
    expect((await deliveries.list())[0]).toMatchObject({ state: 'failed', attempts: 1, lastStatus: status });
  });

  it('retries network errors up to maxAttempts (5 by default)', async () => {
    const { channel, calls, deliveries } = webhook([new TypeError('fetch failed')]);
    const error = await channel.send(alert()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookDeliveryError);
    expect(calls).toHaveLength(5);
    expect((await deliveries.list())[0]).toMatchObject({
      state: 'failed',
      attempts: 5,
      lastError: 'fetch failed',
    });
    expect((await deliveries.list())[0]?.lastStatus).toBeUndefined();
  });

  it('honours a smaller maxAttempts', async () => {
    const { channel, calls } = webhook([500], { maxAttempts: 2 });
    await expect(channel.send(alert())).rejects.toThrow('after 2 attempt(s): HTTP 500');
    expect(calls).toHaveLength(2);
  });

  it('times out a hanging receiver', async () => {
    const deliveries = new SqliteDeliveryLog(openSqlite(':memory:'));
    const hanging = (_url: unknown, init?: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    const channel = new WebhookChannel({
      name: 'ops',
      url: 'https://hooks.example/alerts',
      secret: 'a-webhook-secret-of-some-length',
      deliveries,
      fetch: hanging as typeof fetch,
      timeoutMs: 20,
      maxAttempts: 2,
      retryBaseMs: 1,
    });
    await expect(channel.send(alert())).rejects.toThrow('timed out after 20 ms');
    expect((await deliveries.list())[0]).toMatchObject({ state: 'failed', attempts: 2 });
  });

  it('sends digests with their own event header', async () => {
    const { channel, calls, deliveries } = webhook([200]);
    const stats = {
      from: 'a',
      to: 'b',
      open: {},
      fired: 0,
      escalated: 0,
      acknowledged: 0,
      resolved: 0,
      topRules: [],
    };
    await channel.sendDigest({
      digestId: 'digest:2026-11-22',
      at: 'x',
      timezone: 'UTC',
      summary: 's',
      stats,
    });
    expect(headers(calls, 'X-City-Event')).toEqual(['digest']);
    expect((await deliveries.list())[0]).toMatchObject({
      event: 'digest',
      subjectId: 'digest:2026-11-22',
      transition: 'digest',
    });
  });

  it('close() ends a delivery waiting for its next attempt as failed', async () => {
    const { channel, deliveries } = webhook([500], { retryBaseMs: 60_000 });
    const sending = channel.send(alert());
    await new Promise((r) => setTimeout(r, 20));
    await channel.close();
    await expect(sending).rejects.toThrow('channel closed');
    expect((await deliveries.list())[0]).toMatchObject({ state: 'failed', attempts: 1 });
  });

  it('lists deliveries newest first, filtered', async () => {
    const { channel, deliveries } = webhook([200]);
    await channel.send(alert({ alertId: 'a' }));
    await channel.send(alert({ alertId: 'b' }));
    expect((await deliveries.list()).map((d) => d.subjectId)).toEqual(['b', 'a']);
    expect(await deliveries.list({ subjectId: 'a' })).toHaveLength(1);
    expect(await deliveries.list({ state: 'failed' })).toHaveLength(0);
    expect(await deliveries.pruneBefore('9999')).toBe(2);
  });
});
