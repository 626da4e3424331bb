import { describe, expect, it } from 'vitest';
import { createRandom, hashString } from '../../../simulators/random.ts';

const draws = (seed: number, n = 100) => {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => random.next());
};

describe('createRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    expect(draws(42)).toEqual(draws(42));
    expect(draws(42)).not.toEqual(draws(43));
  });

  it('does not start neighbouring seeds with near-identical values', () => {
    const firsts = Array.from({ length: 100 }, (_, seed) => createRandom(seed).next());
    expect(Math.min(...firsts)).toBeLessThan(0.1);
    expect(Math.max(...firsts)).toBeGreaterThan(0.9);
  });

  it('draws uniformly in [0, 1)', () => {
    const values = draws(7, 20_000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 1);
  });

  it('draws integers with both bounds included', () => {
    const random = createRandom(3);
    const seen = new Set(Array.from({ length: 2_000 }, () => random.int(-2, 2)));
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2]);
  });

  it('draws normal values with the requested mean and standard deviation', () => {
    const random = createRandom(5);
    const values = Array.from({ length: 20_000 }, () => random.normal(10, 2));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });

  it('keeps between, chance and pick within their ranges', () => {
    const random = createRandom(9);
    for (let i = 0; i < 1_000; i++) {
      const value = random.between(-5, 5);
      expect(value).toBeGreaterThanOrEqual(-5);
      expect(value).toBeLessThan(5);
    }
    const hits = Array.from({ length: 10_000 }, () => random.chance(0.2)).filter(Boolean).length;
    expect(hits).toBeGreaterThan(1_800);
    expect(hits).toBeLessThan(2_200);
    expect(new Set(Array.from({ length: 200 }, () => random.pick(['a', 'b', 'c'])))).toEqual(
      new Set(['a', 'b', 'c']),
    );
    expect(() => random.pick([])).toThrow(RangeError);
  });
});

describe('fork', () => {
  it('depends on the seed and the label, not on what the parent drew', () => {
    const fresh = createRandom(1).fork('lamp-000001');
    const used = createRandom(1);
    for (let i = 0; i < 10; i++) used.next();
    const forked = used.fork('lamp-000001');
    expect(Array.from({ length: 10 }, () => forked.next())).toEqual(
      Array.from({ length: 10 }, () => fresh.next()),
    );
  });

  it('gives different streams for different labels and seeds', () => {
    const first = (seed: number, label: string) => createRandom(seed).fork(label).next();
    expect(first(1, 'a')).not.toBe(first(1, 'b'));
    expect(first(1, 'a')).not.toBe(first(2, 'a'));
    expect(first(1, 'a')).not.toBe(createRandom(1).next());
  });
});

describe('hashString', () => {
  it('is stable and spreads similar strings', () => {
    expect(hashString('centrum')).toBe(hashString('centrum'));
    expect(hashString('lamp-000001')).not.toBe(hashString('lamp-000002'));
    expect(hashString('x')).toBeGreaterThanOrEqual(0);
  });
});
