import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Counters } from '../../../../cloud/monitoring/counters.ts';
import type { AlertNotification, Channel } from '../../../../cloud/notifications/channel.ts';
import { Notifier } from '../../../../cloud/notifications/notifier.ts';
import { SqliteSentKeys } from '../../../../cloud/notifications/sent-keys.ts';
import { openSqlite } from '../../../../cloud/sqlite/sqlite.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';
import { alert, capturingLog, recordingChannel, silentLog } from './fixtures.ts';

function notifier(channels: Channel[], db = openSqlite(':memory:')) {
  const counters = new Counters();
  const { log, lines } = capturingLog();
  return {
    notifier: new Notifier({ channels, sent: new SqliteSentKeys(db), log, counters }),
    counters,
    lines,
  };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('Notifier', () => {
  it('sends each transition once per channel', async () => {
    const ops = recordingChannel('ops');
    const { notifier: n, counters } = notifier([ops.channel]);

    expect(await n.notify(['ops'], alert())).toEqual([{ channel: 'ops', outcome: 'sent' }]);
    expect(await n.notify(['ops'], alert())).toEqual([{ channel: 'ops', outcome: 'duplicate' }]);
    await n.notify(['ops', 'ops'], alert({ transition: 'resolved' }));
    await n.notify(['ops'], alert({ alertId: 'alert-2' }));

    expect(
      ops.sent.map((s) => [(s as AlertNotification).alertId, (s as AlertNotification).transition]),
    ).toEqual([
      ['alert-1', 'fired'],
      ['alert-1', 'resolved'],
      ['alert-2', 'fired'],
    ]);
    expect(counters.get('notifications_sent')).toBe(3);
    expect(counters.get('notifications_duplicate')).toBe(1);
  });

  it('remembers what it sent across a restart (a new Notifier on the same database file)', async () => {
    const dir = await tempDir('notifier');
    const path = join(dir.path, 'cloud.db');
    const first = recordingChannel('ops');
    const db1 = openSqlite(path);
    await notifier([first.channel], db1).notifier.notify(['ops'], alert());
    db1.close();

    const second = recordingChannel('ops');
    const db2 = openSqlite(path);
    cleanup = async () => {
      db2.close();
      await dir.remove();
    };
    const { notifier: restarted, counters } = notifier([second.channel], db2);
    expect(await restarted.notify(['ops'], alert())).toEqual([{ channel: 'ops', outcome: 'duplicate' }]);
    expect(second.sent).toEqual([]);
    expect(counters.get('notifications_duplicate')).toBe(1);
    expect(
      await new SqliteSentKeys(db2).state({ subjectId: 'alert-1', transition: 'fired', channel: 'ops' }),
    ).toBe('sent');
  });

  it('logs and counts an unknown channel, and still sends to the known ones', async () => {
    const ops = recordingChannel('ops');
    const { notifier: n, counters, lines } = notifier([ops.channel]);
    const outcomes = await n.notify(['pager', 'ops'], alert());
    expect(outcomes).toEqual([
      { channel: 'pager', outcome: 'unknown-channel' },
      { channel: 'ops', outcome: 'sent' },
    ]);
    expect(counters.get('notifications_unknown_channel')).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'unknown notification channel', channel: 'pager', alertId: 'alert-1' }),
    );
    expect(ops.sent).toHaveLength(1);
  });

  it('isolates a failing channel from the others and never throws', async () => {
    const broken = recordingChannel('broken', { fail: true });
    const throwsSync: Channel = {
      name: 'sync',
      send: () => {
        throw new Error('synchronous bug');
      },
    };
    const ops = recordingChannel('ops');
    const { notifier: n, counters } = notifier([broken.channel, throwsSync, ops.channel]);
    const outcomes = await n.notify(['broken', 'sync', 'ops'], alert());
    expect(outcomes).toEqual([
      { channel: 'broken', outcome: 'failed', error: 'broken is down' },
      { channel: 'sync', outcome: 'failed', error: 'synchronous bug' },
      { channel: 'ops', outcome: 'sent' },
    ]);
    expect(counters.get('notifications_failed')).toBe(2);
    expect(ops.sent).toHaveLength(1);
    // At most once: a failed transition is not sent again.
    expect(await n.notify(['broken'], alert())).toEqual([{ channel: 'broken', outcome: 'duplicate' }]);
  });

  it('rejects an invalid notification without throwing', async () => {
    const ops = recordingChannel('ops');
    const { notifier: n, counters } = notifier([ops.channel]);
    const bad = { ...alert(), severity: 'apocalyptic' } as unknown as AlertNotification;
    const outcomes = await n.notify(['ops'], bad);
    expect(outcomes[0]).toMatchObject({ channel: 'ops', outcome: 'invalid' });
    expect(counters.get('notifications_invalid')).toBe(1);
    expect(ops.sent).toEqual([]);
  });

  it('dispatch() returns at once; drain() waits for the sends', async () => {
    let release = () => {};
    const slow: Channel = {
      name: 'slow',
      send: () => new Promise<void>((resolve) => (release = resolve)),
    };
    const { notifier: n, counters } = notifier([slow]);
    n.dispatch(['slow'], alert());
    expect(counters.get('notifications_sent')).toBe(0);
    await new Promise((r) => setImmediate(r));
    release();
    await n.drain();
    expect(counters.get('notifications_sent')).toBe(1);
  });

  it('sends one digest per channel, once per digest id, skipping channels without digests', async () => {
    const ops = recordingChannel('ops');
    const plain = recordingChannel('plain', { digest: false });
    const { notifier: n } = notifier([ops.channel, plain.channel]);
    const stats = {
      from: '2026-11-21T06:00:00Z',
      to: '2026-11-22T06:00:00Z',
      open: {},
      fired: 1,
      escalated: 0,
      acknowledged: 0,
      resolved: 1,
      topRules: [],
    };
    const digest = {
      digestId: 'digest:2026-11-22',
      at: '2026-11-22T06:00:00Z',
      timezone: 'UTC',
      summary: 's',
      stats,
    };
    expect(await n.digest(['ops', 'plain'], digest)).toEqual([
      { channel: 'ops', outcome: 'sent' },
      { channel: 'plain', outcome: 'unsupported' },
    ]);
    expect(await n.digest(['ops'], digest)).toEqual([{ channel: 'ops', outcome: 'duplicate' }]);
    expect(ops.sent).toHaveLength(1);
  });

  it('refuses two channels with one name', () => {
    const a = recordingChannel('ops').channel;
    expect(
      () =>
        new Notifier({
          channels: [a, a],
          sent: new SqliteSentKeys(openSqlite(':memory:')),
          log: silentLog,
          counters: new Counters(),
        }),
    ).toThrow('duplicate notification channel "ops"');
  });
});
