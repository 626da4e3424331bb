import { describe, expect, it } from 'vitest';
import type { JournalStore } from '../../cloud/storage/journal-contract.ts';

type Options = { keyTtlMs: number; now: () => Date };

/** The behaviour every JournalStore must have; a new backend calls this with a factory for empty journals. */
export function journalStoreConformance(name: string, createJournal: (options: Options) => JournalStore) {
  let clock = Date.parse('2026-11-22T10:00:00.000Z');
  const open = (keyTtlMs = 60_000) => createJournal({ keyTtlMs, now: () => new Date(clock) });
  const lines = (entry: string, n: number) => Array.from({ length: n }, (_, i) => `m,e=${entry} v=${i}`);

  describe(`JournalStore conformance: ${name}`, () => {
    it('counts the lines appended, and hands out the oldest entries first, each as one record', async () => {
      const journal = open();
      await Promise.all([journal.append({ lines: lines('a', 2) }), journal.append({ lines: lines('b', 3) })]);
      await journal.append({ lines: lines('c', 1) });
      expect(journal.depth).toBe(6);
      const all = await journal.take(100);
      expect(all).toMatchObject({
        records: [lines('a', 2).join('\n'), lines('b', 3).join('\n'), 'm,e=c v=0'],
        count: 6,
      });
      // About `max` lines: entries are whole, so a batch stops at the entry that reaches `max`.
      expect(await journal.take(3)).toMatchObject({
        records: [lines('a', 2).join('\n'), lines('b', 3).join('\n')],
        count: 5,
      });
      expect(await journal.take(1)).toMatchObject({ records: [lines('a', 2).join('\n')], count: 2 });
      journal.close();
    });

    it('takes after a given entry, removes in order, and tells who listens', async () => {
      const journal = open();
      let appended = 0;
      const removed: number[] = [];
      const stopListening = journal.onAppend(() => appended++);
      journal.onRemove((n) => removed.push(n));
      await journal.append({ lines: lines('a', 2) });
      await journal.append({ lines: lines('b', 2) });
      await journal.append({ lines: [], key: 'gw-1/empty' });
      expect(appended).toBe(2);
      const first = await journal.take(2);
      const second = await journal.take(2, first?.lastId);
      expect(second?.records).toEqual([lines('b', 2).join('\n')]);
      expect(await journal.take(2, second?.lastId)).toBeUndefined();
      await journal.remove(first?.lastId as number, first?.count as number);
      expect(journal.depth).toBe(2);
      expect(removed).toEqual([2]);
      expect((await journal.take(10))?.records).toEqual([lines('b', 2).join('\n')]);
      await journal.remove(second?.lastId as number, second?.count as number);
      expect(journal.depth).toBe(0);
      expect(await journal.take(10)).toBeUndefined();
      stopListening();
      await journal.append({ lines: lines('c', 1) });
      expect(appended).toBe(2);
      journal.close();
    });

    it('recognises a batch key appended before, while its append is on its way and once it is durable', async () => {
      const journal = open();
      expect(journal.seen('gw-1/1')).toBeUndefined();
      const first = journal.append({ lines: lines('a', 1), key: 'gw-1/1' });
      const pending = journal.seen('gw-1/1');
      expect(pending).toBeInstanceOf(Promise);
      await first;
      await expect(pending).resolves.toBeUndefined();
      await expect(journal.seen('gw-1/1')).resolves.toBeUndefined();
      expect(journal.seen('gw-1/2')).toBeUndefined();
      journal.close();
    });

    it('forgets batch keys once their time to live passed, when entries leave', async () => {
      const journal = open(60_000);
      await journal.append({ lines: lines('a', 1), key: 'old' });
      clock += 61_000;
      await journal.append({ lines: lines('b', 1), key: 'new' });
      const batch = await journal.take(10);
      await journal.remove(batch?.lastId as number, batch?.count as number);
      expect(journal.seen('old')).toBeUndefined();
      expect(journal.seen('new')).toBeDefined();
      journal.close();
    });

    it('refuses appends that were not yet durable when it closes', async () => {
      const journal = open();
      const waiting = journal.append({ lines: lines('a', 1) });
      journal.close();
      await expect(waiting).rejects.toThrow(/closed/);
    });
  });
}
