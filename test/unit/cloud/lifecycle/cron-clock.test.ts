import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startCron } from '../../../../cloud/lifecycle/cron.ts';
import { simulatedClock } from '../../../../shared/clock.ts';
import { waitFor } from '../../../helpers/wait.ts';

const log = pino({ level: 'silent' });

describe('startCron on a simulated clock (the demo in fast time)', () => {
  it('runs at each occurrence in the clock’s time and time zone, once each, until stopped', async () => {
    // Ten simulated hours per real second: a job at 03:30 Brussels time runs every 2.4 real seconds.
    const clock = simulatedClock({ speed: 36_000, startAt: new Date('2026-07-01T00:00:00Z') });
    const runs: string[] = [];
    const stop = startCron(
      '30 3 * * *',
      { name: 'test-job', timezone: 'Europe/Brussels', log, clock },
      async () => {
        runs.push(clock.now().toISOString());
      },
    );
    await waitFor('two runs', () => runs.length >= 2);
    await stop();
    const count = runs.length;
    // 03:30 in Brussels in summer is 01:30 UTC: each run at or after it (never early), on
    // consecutive days from the first, once a day.
    const days = runs.map((at) => at.slice(0, 10));
    expect(days).toEqual(days.map((_, i) => `2026-07-0${i + 1}`));
    for (const at of runs) expect(at.slice(11, 16) >= '01:30', at).toBe(true);
    // Stopped: no run after, even once the next occurrence has passed.
    const later = clock.now().getTime() + 2 * 86_400_000;
    await waitFor('two simulated days', () => clock.now().getTime() > later);
    expect(runs.length).toBe(count);
  });

  it('refuses an invalid expression, naming the job', () => {
    const clock = simulatedClock({ speed: 60 });
    expect(() => startCron('61 * * * *', { name: 'test-job', log, clock }, async () => {})).toThrow(
      'test-job: invalid cron expression "61 * * * *"',
    );
  });
});
