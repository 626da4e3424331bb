import { describe, expect, it } from 'vitest';
import { keep } from '../../../../cloud/live/kept.ts';

describe('keep', () => {
  it('keeps at most so many entries, the earliest set going first, a key set again being the newest', () => {
    const map = new Map<string, number>();
    keep(map, 'a', 1, 2);
    keep(map, 'b', 2, 2);
    expect([...map]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    // Set again: a is now the newest, so b goes first.
    keep(map, 'a', 3, 2);
    keep(map, 'c', 4, 2);
    expect([...map]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
    keep(map, 'd', 5, 2);
    expect([...map.keys()]).toEqual(['c', 'd']);
  });
});
