import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type Feature, startFeatures } from '../../../../cloud/lifecycle/features.ts';

const silent = pino({ level: 'silent' });

/** A fake feature that records its start and stop in `log`; it fails where it is told to. */
function fake(name: string, log: string[], fail: { start?: boolean; stop?: boolean } = {}) {
  return {
    name,
    async start() {
      if (fail.start) throw new Error(`${name} could not bind`);
      log.push(`start ${name}`);
    },
    async stop() {
      log.push(`stop ${name}`);
      if (fail.stop) throw new Error(`${name} would not stop`);
    },
  } satisfies Feature;
}

describe('startFeatures', () => {
  it('starts features in order, gives each the ones before it, and stops them in reverse', async () => {
    const log: string[] = [];
    const { value, stop } = await startFeatures(silent, async (start) => {
      const a = await start(fake('a', log));
      expect(log).toEqual(['start a']);
      await start(fake('b', log));
      await start(fake('c', log));
      return a.name;
    });
    expect(value).toBe('a');
    expect(log).toEqual(['start a', 'start b', 'start c']);
    await stop();
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('logs at debug level how long each part took to start, not the ones that failed', async () => {
    const lines: { part?: string; ms?: number; msg?: string }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const starting = startFeatures(logger, async (start) => {
      await start({
        name: 'slow',
        start: () => new Promise((resolve) => setTimeout(resolve, 30)),
      });
      await start(fake('quick', []));
      await start(fake('broken', [], { start: true }));
    });
    await expect(starting).rejects.toThrow('broken failed to start');
    const started = lines.filter((l) => l.msg === 'part started');
    expect(started.map((l) => l.part)).toEqual(['slow', 'quick']);
    expect(started[0]?.ms).toBeGreaterThanOrEqual(29);
    expect(started[1]?.ms).toBeLessThan(started[0]?.ms ?? 0);
  });

  it('stops what was started, last first, when a start fails half-way, and names the failed feature', async () => {
    const log: string[] = [];
    const starting = startFeatures(silent, async (start) => {
      await start(fake('a', log));
      await start(fake('b', log));
      await start(fake('c', log, { start: true }));
      await start(fake('d', log));
    });
    await expect(starting).rejects.toThrow('c failed to start: c could not bind');
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('stops what was started when building the next feature throws', async () => {
    const log: string[] = [];
    const starting = startFeatures(silent, async (start) => {
      await start(fake('a', log));
      throw new Error('bad configuration');
    });
    await expect(starting).rejects.toThrow('bad configuration');
    expect(log).toEqual(['start a', 'stop a']);
  });

  it('stops every feature even if one fails to stop, and skips features with nothing to stop', async () => {
    const log: string[] = [];
    const { stop } = await startFeatures(silent, async (start) => {
      await start(fake('a', log));
      await start({ name: 'once', start: () => void log.push('start once') });
      await start(fake('b', log, { stop: true }));
    });
    await stop();
    expect(log).toEqual(['start a', 'start once', 'start b', 'stop b', 'stop a']);
  });

  it('stops each feature once, however often stop is called', async () => {
    const log: string[] = [];
    const { stop } = await startFeatures(silent, async (start) => {
      await start(fake('a', log));
    });
    await stop();
    await stop();
    expect(log).toEqual(['start a', 'stop a']);
  });
});
