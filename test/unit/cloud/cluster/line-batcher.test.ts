import { describe, expect, it } from 'vitest';
import { LineBatcher, lineCount } from '../../../../cloud/cluster/line-batcher.ts';

const batcher = () => new LineBatcher<string>({ lines: 10, lingerMs: 100 });

describe('LineBatcher', () => {
  it('holds a batch below the line limit and lets it go at exactly the limit', () => {
    const b = batcher();
    expect(b.add('t', 'a', 4, 0)).toEqual([]);
    expect(b.add('t', 'b', 5, 1)).toEqual([]);
    expect(b.add('t', 'c', 1, 2)).toEqual([{ key: 't', items: ['a', 'b', 'c'], lines: 10 }]);
    expect(b.dueIn(3)).toBeUndefined();
    expect(b.drain()).toEqual([]);
  });

  it('lets a batch go before an item that would take it past the limit; that item starts the next', () => {
    const b = batcher();
    b.add('t', 'a', 6, 0);
    expect(b.add('t', 'b', 5, 50)).toEqual([{ key: 't', items: ['a'], lines: 6 }]);
    // The next batch's linger runs from its own first item.
    expect(b.dueIn(60)).toBe(90);
    expect(b.drain()).toEqual([{ key: 't', items: ['b'], lines: 5 }]);
  });

  it('lets an item of the limit or more go alone, at once, after the batch it found', () => {
    const b = batcher();
    b.add('t', 'a', 3, 0);
    expect(b.add('t', 'big', 25, 1)).toEqual([
      { key: 't', items: ['a'], lines: 3 },
      { key: 't', items: ['big'], lines: 25 },
    ]);
    expect(b.add('t', 'ten', 10, 2)).toEqual([{ key: 't', items: ['ten'], lines: 10 }]);
    expect(b.dueIn(3)).toBeUndefined();
  });

  it('lets a batch go once its first item has waited the linger, not before', () => {
    const b = batcher();
    b.add('t', 'a', 1, 1_000);
    b.add('t', 'b', 1, 1_050);
    expect(b.dueIn(1_000)).toBe(100);
    expect(b.dueIn(1_099)).toBe(1);
    expect(b.due(1_099)).toEqual([]);
    expect(b.dueIn(1_100)).toBe(0);
    expect(b.dueIn(1_200)).toBe(0);
    expect(b.due(1_100)).toEqual([{ key: 't', items: ['a', 'b'], lines: 2 }]);
    expect(b.dueIn(1_100)).toBeUndefined();
  });

  it('keeps each key its own batch, limit and linger', () => {
    const b = batcher();
    b.add('a', 'a1', 6, 0);
    b.add('b', 'b1', 6, 40);
    expect(b.add('a', 'a2', 4, 50)).toEqual([{ key: 'a', items: ['a1', 'a2'], lines: 10 }]);
    // The soonest linger of the open batches: b's, from 40.
    b.add('c', 'c1', 1, 60);
    expect(b.dueIn(70)).toBe(70);
    expect(b.due(140)).toEqual([{ key: 'b', items: ['b1'], lines: 6 }]);
    expect(b.due(160)).toEqual([{ key: 'c', items: ['c1'], lines: 1 }]);
  });

  it('with no linger, a batch is due as soon as it opens', () => {
    const b = new LineBatcher<string>({ lines: 10, lingerMs: 0 });
    b.add('t', 'a', 1, 5);
    expect(b.dueIn(5)).toBe(0);
    expect(b.due(5)).toEqual([{ key: 't', items: ['a'], lines: 1 }]);
  });
});

describe('lineCount', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('counts newline-separated lines, an empty message as one', () => {
    expect(lineCount(bytes(''))).toBe(1);
    expect(lineCount(bytes('m v=1 1'))).toBe(1);
    expect(lineCount(bytes('m v=1 1\nm v=2 2\nm v=3 3'))).toBe(3);
  });
});
