import { describe, expect, it } from 'vitest';
import { Counters } from '../../../../cloud/monitoring/counters.ts';
import type { AlertDigest } from '../../../../cloud/notifications/channel.ts';
import { buildDigest, localDate } from '../../../../cloud/notifications/digest.ts';
import { Notifier } from '../../../../cloud/notifications/notifier.ts';
import { runDigest, startDigest } from '../../../../cloud/notifications/scheduler.ts';
import { SqliteSentKeys } from '../../../../cloud/notifications/sent-keys.ts';
import { openSqlite } from '../../../../cloud/sqlite/sqlite.ts';
import { capturingLog, recordingChannel, silentLog } from './fixtures.ts';

const summary = {
  from: '2026-11-21T06:00:00.000Z',
  to: '2026-11-22T06:00:00.000Z',
  open: { critical: 1, minor: 4 },
  fired: 12,
  escalated: 1,
  acknowledged: 5,
  resolved: 9,
  topRules: [{ ruleId: 'lamp-fault', ruleName: 'Lamp fault', fired: 7 }],
};

describe('digest', () => {
  it('is dated in the city time zone and reads in one line', () => {
    const now = new Date('2026-11-21T23:30:00.000Z');
    expect(localDate(now, 'Europe/Berlin')).toBe('2026-11-22');
    expect(localDate(now, 'America/New_York')).toBe('2026-11-21');
    const digest = buildDigest(summary, now, 'Europe/Berlin');
    expect(digest.digestId).toBe('digest:2026-11-22');
    expect(digest.summary).toBe(
      'Alerts 2026-11-21T06:00:00.000Z to 2026-11-22T06:00:00.000Z: 12 fired, 1 escalated, 5 acknowledged, ' +
        '9 resolved; open: 1 critical, 4 minor; most fired: Lamp fault (7)',
    );
  });

  it('runDigest sends one digest per channel, and not again on a second run the same day', async () => {
    const ops = recordingChannel('ops');
    const bus = recordingChannel('bus');
    const notifier = new Notifier({
      channels: [ops.channel, bus.channel],
      sent: new SqliteSentKeys(openSqlite(':memory:')),
      log: silentLog,
      counters: new Counters(),
    });
    const job = {
      channels: ['ops', 'bus'],
      timezone: 'Europe/Berlin',
      collect: () => summary,
      notify: (channels: readonly string[], d: AlertDigest) => notifier.digest(channels, d),
      log: silentLog,
      now: () => new Date('2026-11-22T06:00:00.000Z'),
    };
    const digest = await runDigest(job);
    await runDigest({ ...job, now: () => new Date('2026-11-22T09:00:00.000Z') });
    expect(ops.sent).toEqual([digest]);
    expect(bus.sent).toEqual([digest]);
  });

  it('runDigest logs a failing collect instead of throwing', async () => {
    const { log, lines } = capturingLog();
    const digest = await runDigest({
      channels: ['ops'],
      timezone: 'UTC',
      collect: () => {
        throw new Error('alert store closed');
      },
      notify: async () => {},
      log,
    });
    expect(digest).toBeUndefined();
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'alert digest failed', level: 50 }));
  });
});

describe('cron jobs', () => {
  const digestJob = {
    channels: ['ops'],
    timezone: 'Europe/Berlin',
    collect: () => summary,
    notify: async () => {},
    log: silentLog,
  };

  it('start with a valid expression and stop cleanly', async () => {
    const stopDigest = startDigest({ ...digestJob, cron: '0 7 * * *' });
    await stopDigest();
  });

  it('refuse a bad expression or time zone', () => {
    expect(() => startDigest({ ...digestJob, cron: '0 25 * * *' })).toThrow('invalid cron expression');
    expect(() => startDigest({ ...digestJob, cron: '0 7 * * *', timezone: 'Mars/Olympus' })).toThrow();
  });
});
