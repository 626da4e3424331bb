import { afterEach, describe, expect, it } from 'vitest';
import type { Outbox, OutboxLimits } from '../../edge/outbox/outbox.ts';
import { item, items, NOW, ns, roomy, SECOND, T0, tsOf } from './outbox-items.ts';

/**
 * The behaviour every Outbox must have (after aedes-persistence's abstract suite). A new backend
 * calls this with a factory for empty outboxes with the given limits.
 */
export function outboxConformance(name: string, create: (limits: OutboxLimits) => Outbox) {
  const open: Outbox[] = [];
  function outbox(limits: OutboxLimits = roomy): Outbox {
    const created = create(limits);
    open.push(created);
    return created;
  }
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
  });

  describe(`Outbox conformance (${name}): batches`, () => {
    it('starts empty', () => {
      const o = outbox();
      expect(o.depth).toBe(0);
      expect(o.lastSeq).toBe(0);
      expect(o.inFlightCount).toBe(0);
      expect(o.gap).toEqual({ count: 0 });
      expect(o.next(10)).toBeUndefined();
    });

    it('ignores an empty push', () => {
      const o = outbox();
      o.push('telemetry', [], NOW);
      expect(o.depth).toBe(0);
      expect(o.next(10)).toBeUndefined();
    });

    it('gives items back first in, first out, across pushes, as they were pushed', () => {
      const o = outbox();
      o.push('telemetry', items(0, 3), NOW);
      o.push('telemetry', items(3, 2), NOW);
      expect(o.depth).toBe(5);
      const batch = o.next(100);
      expect(batch?.channel).toBe('telemetry');
      expect(batch?.items).toEqual(items(0, 5));
      expect(batch?.lastSeq).toBe(5);
    });

    it('cuts batches at maxItems, in order', () => {
      const o = outbox();
      o.push('telemetry', items(0, 7), NOW);
      const batches = [o.next(3), o.next(3), o.next(3)];
      expect(batches.map(ns)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
      expect(batches.map((b) => b?.lastSeq)).toEqual([3, 6, 7]);
      expect(o.next(3)).toBeUndefined();
      expect(new Set(batches.map((b) => b?.id)).size).toBe(3);
    });

    it('never mixes telemetry and events in a batch, and keeps each batch contiguous', () => {
      const o = outbox();
      o.push('telemetry', items(0, 3), NOW);
      o.push('events', items(3, 2), NOW);
      o.push('telemetry', items(5, 2), NOW);
      o.push('events', items(7, 1), NOW);
      const batches = [o.next(100), o.next(100), o.next(100), o.next(100)];
      expect(batches.map((b) => [b?.channel, ns(b)])).toEqual([
        ['telemetry', [0, 1, 2]],
        ['events', [3, 4]],
        ['telemetry', [5, 6]],
        ['events', [7]],
      ]);
      expect(o.next(100)).toBeUndefined();
      expect(o.depth).toBe(8);
    });

    it('skips batches in flight', () => {
      const o = outbox();
      o.push('telemetry', items(0, 4), NOW);
      const first = o.next(2);
      const second = o.next(2);
      expect(ns(first)).toEqual([0, 1]);
      expect(ns(second)).toEqual([2, 3]);
      expect(second?.id).not.toBe(first?.id);
      expect(o.inFlightCount).toBe(2);
      expect(o.next(2)).toBeUndefined();
    });

    it('offers a released batch again with the same id and items, before newer items', () => {
      const o = outbox();
      o.push('telemetry', items(0, 2), NOW);
      const first = o.next(10);
      o.push('telemetry', items(2, 2), NOW);
      o.release(first?.id ?? '');
      expect(o.inFlightCount).toBe(0);
      expect(o.depth).toBe(4);
      const again = o.next(10);
      expect(again).toEqual(first);
      expect(ns(o.next(10))).toEqual([2, 3]);
      expect(o.next(10)).toBeUndefined();
    });

    it('removes an acknowledged batch', () => {
      const o = outbox();
      o.push('events', items(0, 3), NOW);
      const batch = o.next(2);
      expect(o.depth).toBe(3);
      o.ack(batch?.id ?? '');
      expect(o.depth).toBe(1);
      expect(o.inFlightCount).toBe(0);
      expect(ns(o.next(10))).toEqual([2]);
      expect(o.next(10)).toBeUndefined();
    });

    it('keeps the depth right through push, next, release and ack', () => {
      const o = outbox();
      o.push('telemetry', items(0, 5), NOW);
      o.push('events', items(5, 2), NOW);
      expect(o.depth).toBe(7);
      const a = o.next(3);
      const b = o.next(3);
      expect(o.depth).toBe(7);
      o.release(a?.id ?? '');
      expect(o.depth).toBe(7);
      o.ack(b?.id ?? '');
      expect(o.depth).toBe(5);
      o.ack(o.next(10)?.id ?? '');
      expect(o.depth).toBe(2);
      o.ack(o.next(10)?.id ?? '');
      expect(o.depth).toBe(0);
      expect(o.next(10)).toBeUndefined();
    });

    it('does not change the depth when an unknown batch is acknowledged', () => {
      const o = outbox();
      o.push('telemetry', items(0, 2), NOW);
      o.ack('no-such-batch');
      expect(o.depth).toBe(2);
    });
  });

  describe(`Outbox conformance (${name}): the after argument`, () => {
    it('skips items at or below the given sequence number', () => {
      const o = outbox();
      o.push('telemetry', items(0, 3), NOW);
      const mark = o.lastSeq;
      expect(mark).toBe(3);
      o.push('events', items(3, 2), NOW);
      const live = o.next(10, mark);
      expect([live?.channel, ns(live)]).toEqual(['events', [3, 4]]);
      expect(o.next(10, mark)).toBeUndefined();
      expect(o.next(10, o.lastSeq)).toBeUndefined();
      const backlog = o.next(10);
      expect([backlog?.channel, ns(backlog)]).toEqual(['telemetry', [0, 1, 2]]);
    });

    it('sends live items of the same channel ahead of a backlog of at least a batch', () => {
      const o = outbox();
      o.push('telemetry', items(0, 2), NOW);
      const mark = o.lastSeq;
      o.push('telemetry', items(2, 2), NOW);
      expect(ns(o.next(2, mark))).toEqual([2, 3]);
      expect(ns(o.next(2))).toEqual([0, 1]);
      expect(o.next(2)).toBeUndefined();
    });

    it('does not offer a released backlog batch to a caller asking for live items', () => {
      const o = outbox();
      o.push('telemetry', items(0, 2), NOW);
      const mark = o.lastSeq;
      const backlog = o.next(10);
      o.release(backlog?.id ?? '');
      expect(o.next(10, mark)).toBeUndefined();
      expect(o.next(10)?.id).toBe(backlog?.id);
    });
  });

  describe(`Outbox conformance (${name}): bounds`, () => {
    it('keeps exactly maxItems without dropping', () => {
      const o = outbox({ ...roomy, maxItems: 5 });
      o.push('telemetry', items(0, 5), NOW);
      expect(o.depth).toBe(5);
      expect(o.gap).toEqual({ count: 0 });
    });

    it('drops the oldest items beyond maxItems and records the gap', () => {
      const o = outbox({ ...roomy, maxItems: 5 });
      o.push('telemetry', items(0, 3), NOW);
      o.push('telemetry', items(3, 4), NOW);
      expect(o.depth).toBe(5);
      expect(o.gap).toEqual({ count: 2, from: tsOf(0), to: tsOf(1) });
      expect(ns(o.next(10))).toEqual([2, 3, 4, 5, 6]);
    });

    it('widens the gap with every drop', () => {
      const o = outbox({ ...roomy, maxItems: 2 });
      o.push('telemetry', items(0, 3), NOW);
      expect(o.gap).toEqual({ count: 1, from: tsOf(0), to: tsOf(0) });
      o.push('events', items(3, 2), NOW);
      expect(o.gap).toEqual({ count: 3, from: tsOf(0), to: tsOf(2) });
      expect(o.depth).toBe(2);
      const left = o.next(10);
      expect([left?.channel, ns(left)]).toEqual(['events', [3, 4]]);
    });

    it('never drops items of a batch being sent: the oldest unbatched items go instead', () => {
      const o = outbox({ ...roomy, maxItems: 5 });
      o.push('telemetry', items(0, 3), NOW);
      const sending = o.next(10);
      o.push('telemetry', items(3, 5), NOW);
      expect(o.depth).toBe(5);
      expect(o.gap).toEqual({ count: 3, from: tsOf(3), to: tsOf(5) });
      o.ack(sending?.id ?? '');
      expect(o.depth).toBe(2);
      expect(ns(o.next(10))).toEqual([6, 7]);
    });

    it('drops items older than maxAgeMs before the now given to push', () => {
      const o = outbox({ maxItems: 1_000, maxAgeMs: 60 * SECOND });
      const now = new Date(T0 + 100 * SECOND);
      o.push('telemetry', [item(0), item(30), item(40), item(90)], now);
      expect(o.depth).toBe(2);
      expect(o.gap).toEqual({ count: 2, from: tsOf(0), to: tsOf(30) });
      expect(ns(o.next(10))).toEqual([40, 90]);
    });

    it('ages out items already stored when a later push brings a later now', () => {
      const o = outbox({ maxItems: 1_000, maxAgeMs: 60 * SECOND });
      o.push('telemetry', [item(0), item(50)], new Date(T0 + 55 * SECOND));
      expect(o.depth).toBe(2);
      o.push('events', [item(120)], new Date(T0 + 120 * SECOND));
      expect(o.depth).toBe(1);
      expect(o.gap).toEqual({ count: 2, from: tsOf(0), to: tsOf(50) });
      expect(o.next(10)?.channel).toBe('events');
    });

    it('does not age out a batch being sent', () => {
      const o = outbox({ maxItems: 1_000, maxAgeMs: 60 * SECOND });
      o.push('telemetry', [item(0)], new Date(T0));
      const sending = o.next(10);
      o.push('telemetry', [item(10), item(200)], new Date(T0 + 200 * SECOND));
      expect(o.depth).toBe(2);
      expect(o.gap).toEqual({ count: 1, from: tsOf(10), to: tsOf(10) });
      o.release(sending?.id ?? '');
      expect(o.next(10)).toEqual(sending);
    });
  });

  describe(`Outbox conformance (${name}): a backlog read beside live batches`, () => {
    it('cuts the backlog batch where a live batch in flight begins', () => {
      const o = outbox();
      o.push('telemetry', items(0, 3), NOW);
      const mark = o.lastSeq;
      o.push('telemetry', items(3, 2), NOW);
      const live = o.next(10, mark);
      expect(ns(live)).toEqual([3, 4]);
      const backlog = o.next(10);
      expect(ns(backlog)).toEqual([0, 1, 2]);
      expect(backlog?.lastSeq).toBe(mark);
      expect(backlog?.id).not.toBe(live?.id);
      expect(o.inFlightCount).toBe(2);
      expect(o.next(10)).toBeUndefined();
      o.ack(live?.id ?? '');
      expect(o.depth).toBe(3);
      o.release(backlog?.id ?? '');
      expect(o.next(10)).toEqual(backlog);
    });

    it('takes backlog of the other channel up to the live batch in flight, and no further', () => {
      const o = outbox();
      o.push('events', items(0, 2), NOW);
      const mark = o.lastSeq;
      o.push('events', items(2, 1), NOW);
      o.push('telemetry', items(3, 2), NOW);
      const live = o.next(10, mark);
      expect([live?.channel, ns(live)]).toEqual(['events', [2]]);
      const backlog = o.next(10);
      expect([backlog?.channel, ns(backlog), backlog?.lastSeq]).toEqual(['events', [0, 1], 2]);
      const rest = o.next(10);
      expect([rest?.channel, ns(rest), rest?.lastSeq]).toEqual(['telemetry', [3, 4], 5]);
    });

    it('resends a live batch released during the backlog replay before cutting more backlog', () => {
      const o = outbox();
      o.push('telemetry', items(0, 2), NOW);
      const mark = o.lastSeq;
      o.push('telemetry', items(2, 2), NOW);
      const live = o.next(10, mark);
      o.release(live?.id ?? '');
      expect(o.next(10)).toEqual(live);
      expect(ns(o.next(10))).toEqual([0, 1]);
    });
  });

  describe(`Outbox conformance (${name}): a push that fails`, () => {
    it.each([
      ['cannot be serialised', { ts: tsOf(5), n: 5, big: 1n }],
      ['has no valid time', { ts: 'yesterday', n: 5 }],
    ])(
      'stores nothing of a push with an item that %s, drops nothing for it, and goes on working',
      (_, bad) => {
        const o = outbox({ ...roomy, maxItems: 4 });
        o.push('telemetry', items(0, 3), NOW);
        expect(() => o.push('telemetry', [item(3), item(4), bad], NOW)).toThrow();
        expect(o.depth).toBe(3);
        expect(o.lastSeq).toBe(3);
        expect(o.gap).toEqual({ count: 0 });
        o.push('events', items(6, 1), NOW);
        expect(o.depth).toBe(4);
        const batches = [o.next(10), o.next(10)];
        expect(batches.map((b) => [b?.channel, ns(b)])).toEqual([
          ['telemetry', [0, 1, 2]],
          ['events', [6]],
        ]);
        expect(o.next(10)).toBeUndefined();
      },
    );
  });
}
