import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counters } from '../../cloud/monitoring/counters.ts';
import type { AlertNotification } from '../../cloud/notifications/channel.ts';
import { SqliteDeliveryLog } from '../../cloud/notifications/delivery-log.ts';
import { createNotifications, type Notifications } from '../../cloud/notifications/factory.ts';
import { SqliteSentKeys } from '../../cloud/notifications/sent-keys.ts';
import { verifySignature } from '../../cloud/notifications/signature.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const secret = 'integration-secret-0123456789';

interface Received {
  path: string;
  delivery: string;
  signatureValid: boolean;
  body: unknown;
}

/** A webhook receiver on a random loopback port; `answers[path]` are its statuses in turn. */
async function startReceiver(answers: Record<string, number[]>) {
  const received: Received[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const path = req.url ?? '/';
    received.push({
      path,
      delivery: String(req.headers['x-city-delivery']),
      signatureValid: verifySignature(secret, raw, req.headers['x-city-signature'] as string | undefined),
      body: JSON.parse(raw.toString('utf8')),
    });
    const script = answers[path] ?? [200];
    const count = received.filter((r) => r.path === path).length;
    res.statusCode = script[Math.min(count, script.length) - 1] ?? 200;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { received, url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const notification = (alertId: string): AlertNotification => ({
  alertId,
  ruleId: 'lamp-fault',
  ruleName: 'Lamp fault',
  severity: 'major',
  transition: 'fired',
  subject: { kind: 'device', id: 'lamp-000042', district: 'centre', deviceKind: 'streetlight' },
  at: '2026-11-22T16:00:00.000Z',
  summary: 'lamp reports a driver fault',
});

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: DatabaseSync;
let notifications: Notifications;
const counters = new Counters();

beforeAll(async () => {
  receiver = await startReceiver({ '/flaky': [500, 500, 200], '/rejecting': [400] });
  dir = await tempDir('notifications');
  db = openSqlite(join(dir.path, 'cloud.db'));
  const down = `http://127.0.0.1:${await closedPort()}/down`;
  notifications = createNotifications(
    [
      { name: 'flaky', type: 'webhook', url: `${receiver.url}/flaky`, secret },
      { name: 'rejecting', type: 'webhook', url: `${receiver.url}/rejecting`, secret },
      { name: 'down', type: 'webhook', url: down, secret, maxAttempts: 3 },
    ],
    {
      stores: { deliveries: new SqliteDeliveryLog(db), sent: new SqliteSentKeys(db) },
      log: pino({ level: 'silent' }),
      counters,
      retryBaseMs: 5,
    },
  );
});

afterAll(async () => {
  await notifications?.notifier.close();
  await receiver?.close();
  db?.close();
  await dir?.remove();
});

describe('webhook notifications over real HTTP', () => {
  it('retries 500 twice, then is delivered on the third attempt, signed each time', async () => {
    const outcomes = await notifications.notifier.notify(['flaky'], notification('alert-flaky'));
    expect(outcomes).toEqual([{ channel: 'flaky', outcome: 'sent' }]);

    const requests = receiver.received.filter((r) => r.path === '/flaky');
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.signatureValid)).toBe(true);
    expect(new Set(requests.map((r) => r.delivery)).size).toBe(1);
    expect(requests[0]?.body).toEqual(notification('alert-flaky'));

    const [log] = await notifications.deliveries.list({ channel: 'flaky' });
    expect(log).toMatchObject({
      id: requests[0]?.delivery,
      subjectId: 'alert-flaky',
      transition: 'fired',
      state: 'delivered',
      attempts: 3,
      lastStatus: 200,
    });
  });

  it('does not send the same transition again', async () => {
    const outcomes = await notifications.notifier.notify(['flaky'], notification('alert-flaky'));
    expect(outcomes).toEqual([{ channel: 'flaky', outcome: 'duplicate' }]);
    expect(receiver.received.filter((r) => r.path === '/flaky')).toHaveLength(3);
  });

  it('fails a 400 at once, without retrying', async () => {
    const [outcome] = await notifications.notifier.notify(['rejecting'], notification('alert-rejected'));
    expect(outcome).toMatchObject({ channel: 'rejecting', outcome: 'failed' });
    expect(receiver.received.filter((r) => r.path === '/rejecting')).toHaveLength(1);
    expect(await notifications.deliveries.list({ channel: 'rejecting' })).toMatchObject([
      { state: 'failed', attempts: 1, lastStatus: 400 },
    ]);
  });

  it('fails after maxAttempts when the receiver is down', async () => {
    const [outcome] = await notifications.notifier.notify(['down'], notification('alert-down'));
    expect(outcome).toMatchObject({ channel: 'down', outcome: 'failed' });
    const [log] = await notifications.deliveries.list({ channel: 'down' });
    expect(log).toMatchObject({ state: 'failed', attempts: 3 });
    expect(log?.lastStatus).toBeUndefined();
    expect(log?.lastError).toMatch(/ECONNREFUSED/);
  });

  it('keeps channels apart: one notify to all three gives one delivered, two failed', async () => {
    const outcomes = await notifications.notifier.notify(['flaky', 'rejecting', 'down', 'nowhere'], {
      ...notification('alert-all'),
      transition: 'escalated',
    });
    expect(outcomes.map((o) => o.outcome)).toEqual(['sent', 'failed', 'failed', 'unknown-channel']);
    expect(counters.get('notifications_unknown_channel')).toBe(1);
    expect(counters.get('notifications_sent')).toBe(2);
    expect(counters.get('notifications_failed')).toBe(4);
  });
});
