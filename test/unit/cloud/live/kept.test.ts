import { describe, expect, it } from 'vitest';
import { KeptByPosition } from '../../../../cloud/live/kept.ts';
import type { DeviceRecord } from '../../../../cloud/registry/store.ts';

const device = (id: string): DeviceRecord => ({
  id,
  kind: 'streetlight',
  gatewayId: 'gw-1',
  district: 'x',
  provisioned: true,
  latest: {},
});

describe('kept by position', () => {
  it('gives what was kept for the record at the position, and nothing for another record or position', () => {
    const kept = new KeptByPosition<string>(10);
    const [a, copy] = [device('a'), device('a')];
    kept.set(0, a, 'A');
    expect(kept.get(0, a)).toBe('A');
    expect(kept.get(0, copy)).toBeUndefined();
    expect(kept.get(1, a)).toBeUndefined();
  });

  it('forgets what the registry tells changed, and nothing else', () => {
    const kept = new KeptByPosition<string>(10);
    const [a, b] = [device('a'), device('b')];
    kept.changed([a]);
    kept.set(0, a, 'A');
    kept.set(1, b, 'B');
    kept.changed([device('nobody'), a]);
    expect(kept.get(0, a)).toBeUndefined();
    expect(kept.get(1, b)).toBe('B');
    // Kept again, it holds again.
    kept.set(0, a, 'A2');
    expect(kept.get(0, a)).toBe('A2');
    expect(kept.size).toBe(2);
  });

  it('keeps one entry per position and per device: a device at a new position, another at the old', () => {
    const kept = new KeptByPosition<string>(10);
    const [a, b] = [device('a'), device('b')];
    kept.set(0, a, 'A');
    kept.set(1, a, 'A at 1');
    expect(kept.size).toBe(1);
    expect(kept.get(0, a)).toBeUndefined();
    kept.set(0, b, 'B');
    kept.set(1, b, 'B at 1');
    expect(kept.size).toBe(1);
    expect(kept.get(1, b)).toBe('B at 1');
    // The change of a (no longer kept) is nothing; b's is told wherever it is.
    kept.changed([a]);
    expect(kept.get(1, b)).toBe('B at 1');
    kept.changed([b]);
    expect(kept.get(1, b)).toBeUndefined();
  });

  it('keeps at most so many, the earliest set going first, forgotten by id too', () => {
    const kept = new KeptByPosition<string>(2);
    const [a, b, c, z] = [device('a'), device('b'), device('c'), device('z')];
    kept.set(0, a, 'A');
    kept.set(1, b, 'B');
    // c evicts a; z takes a's old position, evicting b.
    kept.set(2, c, 'C');
    kept.set(0, z, 'Z');
    expect([kept.get(0, a), kept.get(1, b), kept.get(2, c), kept.get(0, z)]).toEqual([
      undefined,
      undefined,
      'C',
      'Z',
    ]);
    // a again, elsewhere: c (the earliest) goes, z stays (a's evicted entry took nothing with it).
    kept.set(5, a, 'A at 5');
    expect(kept.size).toBe(2);
    expect([kept.get(2, c), kept.get(0, z), kept.get(5, a)]).toEqual([undefined, 'Z', 'A at 5']);
    kept.clear();
    expect(kept.size).toBe(0);
    expect(kept.get(0, z)).toBeUndefined();
    // Cleared by id too: z kept again elsewhere takes nothing of what now stands at its old position.
    kept.set(0, c, 'C at 0');
    kept.set(7, z, 'Z at 7');
    expect(kept.get(0, c)).toBe('C at 0');
  });
});
