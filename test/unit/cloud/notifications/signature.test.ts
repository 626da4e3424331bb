import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SqliteDeliveryLog } from '../../../../cloud/notifications/delivery-log.ts';
import { signBody, verifySignature } from '../../../../cloud/notifications/signature.ts';
import { WebhookChannel } from '../../../../cloud/notifications/webhook.ts';
import { openSqlite } from '../../../../cloud/sqlite/sqlite.ts';
import { alert, scriptedFetch } from './fixtures.ts';

const secret = 'a-webhook-secret-of-some-length';

describe('webhook signature', () => {
  it('is sha256=<hex HMAC-SHA256 of the raw body>', () => {
    const body = '{"a":1,"text":"héllo"}';
    const expected = createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('hex');
    expect(signBody(secret, body)).toBe(`sha256=${expected}`);
    expect(signBody(secret, Buffer.from(body))).toBe(`sha256=${expected}`);
  });

  it('verifies only the same body with the same secret', () => {
    const body = JSON.stringify(alert());
    const header = signBody(secret, body);
    expect(verifySignature(secret, body, header)).toBe(true);
    expect(verifySignature(secret, body.replace('86', '87'), header)).toBe(false);
    expect(verifySignature('another-secret-entirely', body, header)).toBe(false);
    expect(verifySignature(secret, body, undefined)).toBe(false);
    expect(verifySignature(secret, body, 'sha256=00')).toBe(false);
  });

  it('the webhook signs exactly the bytes it sends, with delivery and event headers', async () => {
    const { fetch, calls } = scriptedFetch([200]);
    const channel = new WebhookChannel({
      name: 'ops',
      url: 'https://hooks.example/alerts',
      secret,
      deliveries: new SqliteDeliveryLog(openSqlite(':memory:')),
      fetch,
    });
    const notification = alert();
    await channel.send(notification);

    expect(calls).toHaveLength(1);
    const { url, init } = calls[0] as (typeof calls)[0];
    const headers = init.headers as Record<string, string>;
    const body = String(init.body);
    expect(url).toBe('https://hooks.example/alerts');
    expect(init.method).toBe('POST');
    expect(headers['content-type']).toBe('application/json');
    expect(JSON.parse(body)).toEqual(notification);
    const hex = createHmac('sha256', secret).update(body).digest('hex');
    expect(headers['X-City-Signature']).toBe(`sha256=${hex}`);
    expect(headers['X-City-Delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers['X-City-Event']).toBe('alert');
  });
});
