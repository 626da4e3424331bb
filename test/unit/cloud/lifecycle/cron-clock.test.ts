import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startCron } from '../../../../cloud/lifecycle/cron.ts';
import { simulatedClock } from '../../../../shared/clock.ts';

const log = pino({ level: 'silent' });

/**
 * Real time is driven by fake timers (Date.now and setTimeout), so what is checked does not depend
 * on how loaded the machine is: with real timers a run came a simulated day late (one day skipped)
 * whenever the process was held up for 2.4 real seconds.
 */
describe('startCron on a simulated clock (the demo in fast time)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-30T08:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  // Ten simulated hours per real second: a simulated day is 2,400 real ms.
  const speed = 36_000;
  const day = 2_400;

  it('runs at each occurrence in the clock’s time and time zone, once each, until stopped', async () => {
    const clock = simulatedClock({ speed, startAt: new Date('2026-07-01T00:00:00Z') });
    const runs: string[] = [];
    const stop = startCron(
      '30 3 * * *',
      { name: 'test-job', timezone: 'Europe/Brussels', log, clock },
      async () => {
        runs.push(clock.now().toISOString());
      },
    );
    // 03:30 in Brussels in summer is 01:30 UTC: 150 real ms after the start, then every day.
    await vi.advanceTimersByTimeAsync(149);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual(['2026-07-01T01:30:00.000Z']);
    await vi.advanceTimersByTimeAsync(day - 1);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1 + 2 * day);
    expect(runs).toEqual([
      '2026-07-01T01:30:00.000Z',
      '2026-07-02T01:30:00.000Z',
      '2026-07-03T01:30:00.000Z',
      '2026-07-04T01:30:00.000Z',
    ]);
    // Stopped: no run after, even once the next occurrences have passed.
    await stop();
    await vi.advanceTimersByTimeAsync(3 * day);
    expect(runs).toHaveLength(4);
  });

  it('never runs before the occurrence when its timer fires early, and once when it fires late', async () => {
    // The clock reads `behind` real ms less than the timers count: as when a timer fires early.
    let behind = 0;
    const clock = simulatedClock({
      speed,
      startAt: new Date('2026-07-01T00:00:00Z'),
      wall: () => Date.now() - behind,
    });
    const runs: string[] = [];
    const stop = startCron('30 1 * * *', { name: 'test-job', log, clock }, async () => {
      runs.push(clock.now().toISOString());
    });
    behind = 2;
    await vi.advanceTimersByTimeAsync(150);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toHaveLength(1);
    expect((runs[0] ?? '') >= '2026-07-01T01:30:00.000Z', runs[0]).toBe(true);
    // Held up past two more occurrences (the process stalled, its timer fired three simulated days
    // late): one run, late, and then the schedule again.
    behind = -3 * day;
    await vi.advanceTimersByTimeAsync(day);
    expect(runs).toHaveLength(2);
    expect(runs[1]?.slice(0, 10)).toBe('2026-07-05');
    await vi.advanceTimersByTimeAsync(day);
    expect(runs).toHaveLength(3);
    expect(runs[2]?.slice(0, 10)).toBe('2026-07-06');
    expect((runs[2] ?? '') >= '2026-07-06T01:30:00.000Z', runs[2]).toBe(true);
    await stop();
  });

  it('refuses an invalid expression, naming the job', () => {
    const clock = simulatedClock({ speed: 60 });
    expect(() => startCron('61 * * * *', { name: 'test-job', log, clock }, async () => {})).toThrow(
      'test-job: invalid cron expression "61 * * * *"',
    );
  });
});
