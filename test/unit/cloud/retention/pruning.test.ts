import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type RetainedStore, retentionFeature, runPruning } from '../../../../cloud/retention/pruning.ts';

const silentLog = pino({ level: 'silent' });
const now = () => new Date('2026-11-29T03:30:00.000Z');

function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('runPruning', () => {
  it('prunes each store before its own retention, counted from the injected clock', async () => {
    const asked: Record<string, string> = {};
    const store = (name: string, days: number, removed: number): RetainedStore => ({
      name,
      days,
      prune: (before) => {
        asked[name] = before.toISOString();
        return removed;
      },
    });
    const removed = await runPruning({
      stores: [store('alerts', 90, 3), store('audit', 365, 0), store('dead-letters', 1, 7)],
      log: silentLog,
      now,
    });
    expect(removed).toEqual({ alerts: 3, audit: 0, 'dead-letters': 7 });
    expect(asked).toEqual({
      alerts: '2026-08-31T03:30:00.000Z',
      audit: '2025-11-29T03:30:00.000Z',
      'dead-letters': '2026-11-28T03:30:00.000Z',
    });
  });

  it('logs a store that fails, counts it as 0, and still prunes the others', async () => {
    const { log, lines } = capturingLog();
    const removed = await runPruning({
      stores: [
        {
          name: 'commands',
          days: 1,
          prune: () => {
            throw new Error('database is locked');
          },
        },
        { name: 'audit', days: 1, prune: async () => 2 },
      ],
      log,
      now,
    });
    expect(removed).toEqual({ commands: 0, audit: 2 });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 50, store: 'commands', msg: 'retention: pruning failed' }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ store: 'audit', removed: 2 }));
  });
});

describe('retentionFeature', () => {
  it('starts on a valid schedule and stops cleanly', async () => {
    const feature = retentionFeature({
      cron: '30 3 * * *',
      timezone: 'Europe/Prague',
      stores: [],
      log: silentLog,
      now,
    });
    feature.start();
    await feature.stop();
  });

  it('refuses a bad expression or time zone, naming the job', () => {
    const job = { stores: [], log: silentLog, now };
    expect(() => retentionFeature({ ...job, cron: 'daily', timezone: 'UTC' }).start()).toThrow(
      'retention-pruning: invalid cron expression',
    );
    expect(() =>
      retentionFeature({ ...job, cron: '30 3 * * *', timezone: 'Mars/Olympus' }).start(),
    ).toThrow();
  });
});
