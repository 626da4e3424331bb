import { describe, expect, it } from 'vitest';
import { Refreshed } from '../../../../cloud/dashboards/refreshed.ts';

function setUp(maxKeys = 10) {
  let clock = 0;
  const errors: unknown[] = [];
  const cache = new Refreshed<number>({
    maxAgeMs: 1_000,
    maxKeys,
    now: () => clock,
    onError: (e) => errors.push(e),
  });
  return { cache, errors, advance: (ms: number) => (clock += ms) };
}

describe('answers refreshed in the background', () => {
  it('computes once while fresh, then serves the old answer while computing a new one', async () => {
    const { cache, advance } = setUp();
    let calls = 0;
    const compute = async () => ++calls;
    expect(await Promise.all([cache.get('k', compute), cache.get('k', compute)])).toEqual([1, 1]);
    advance(999);
    expect(await cache.get('k', compute)).toBe(1);
    advance(1);
    expect(await cache.get('k', compute)).toBe(1);
    expect(calls).toBe(2);
    expect(await cache.get('k', compute)).toBe(2);
  });

  it('keeps the old answer when a refresh fails, and throws when the first computation fails', async () => {
    const { cache, errors, advance } = setUp();
    await cache.get('k', async () => 7);
    advance(1_000);
    expect(await cache.get('k', () => Promise.reject(new Error('influx down')))).toBe(7);
    await Promise.resolve();
    expect(await cache.get('k', async () => 8)).toBe(7);
    expect(errors).toHaveLength(1);
    await expect(cache.get('new', () => Promise.reject(new Error('first')))).rejects.toThrow('first');
    expect(await cache.get('new', async () => 9)).toBe(9);
  });

  it('forgets the least recently used key past maxKeys', async () => {
    const { cache } = setUp(2);
    await cache.get('a', async () => 1);
    await cache.get('b', async () => 2);
    await cache.get('a', async () => 0);
    await cache.get('c', async () => 3);
    expect(await cache.get('a', async () => 10)).toBe(1);
    expect(await cache.get('b', async () => 20)).toBe(20);
  });
});
