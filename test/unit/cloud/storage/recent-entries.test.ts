import { describe, expect, it } from 'vitest';
import { type JournalRow, RecentEntries } from '../../../../cloud/storage/recent-entries.ts';

const row = (id: number, count = 1): JournalRow => ({ id, text: `e${id}`, count });

describe('the journal entries held in memory for the drainer', () => {
  it('holds what comes after the entries on disk when it opened, not those', () => {
    const recent = new RecentEntries(100, 10);
    expect(recent.holds(9)).toBe(false);
    expect(recent.holds(10)).toBe(true);
    expect(recent.take(5, 10)).toBeUndefined();
    recent.add([row(11, 2), row(12, 3)]);
    expect(recent.take(5, 10)).toEqual({ lastId: 12, records: ['e11', 'e12'], count: 5 });
  });

  it('hands out about `max` lines: whole entries, at least one, from the one after `afterId`', () => {
    const recent = new RecentEntries(100, 0);
    recent.add([row(1, 2), row(2, 2), row(4, 2), row(7, 2)]);
    expect(recent.take(1, 0)).toEqual({ lastId: 1, records: ['e1'], count: 2 });
    expect(recent.take(2, 0)).toEqual({ lastId: 1, records: ['e1'], count: 2 });
    expect(recent.take(3, 0)).toEqual({ lastId: 2, records: ['e1', 'e2'], count: 4 });
    expect(recent.take(4, 1)).toEqual({ lastId: 4, records: ['e2', 'e4'], count: 4 });
    // Ids need not follow each other: the first entry after 3 is 4, after 4 is 7.
    expect(recent.take(100, 3)).toEqual({ lastId: 7, records: ['e4', 'e7'], count: 4 });
    expect(recent.take(100, 4)).toEqual({ lastId: 7, records: ['e7'], count: 2 });
    expect(recent.take(100, 7)).toBeUndefined();
  });

  it('lets go of removed entries, and of a part of an entry never', () => {
    const recent = new RecentEntries(100, 0);
    recent.add([row(1), row(2), row(3)]);
    recent.remove(2);
    expect(recent.take(100, 0)).toEqual({ lastId: 3, records: ['e3'], count: 1 });
    recent.remove(3);
    expect(recent.take(100, 0)).toBeUndefined();
    recent.add([row(4)]);
    expect(recent.take(100, 3)).toEqual({ lastId: 4, records: ['e4'], count: 1 });
  });

  it('keeps up to `maxLines` lines; past that, only what is committed afterwards', () => {
    const recent = new RecentEntries(4, 0);
    recent.add([row(1, 2), row(2, 2)]);
    expect(recent.holds(0)).toBe(true);
    recent.add([row(3, 1)]);
    // Five lines: everything up to entry 3 is read from disk from now on.
    expect(recent.holds(2)).toBe(false);
    expect(recent.holds(3)).toBe(true);
    expect(recent.take(100, 3)).toBeUndefined();
    recent.add([row(4, 3)]);
    expect(recent.take(100, 3)).toEqual({ lastId: 4, records: ['e4'], count: 3 });
    // Removing entries frees room: 3 + 1 lines fit again.
    recent.remove(4);
    recent.add([row(5, 4)]);
    expect(recent.holds(4)).toBe(true);
    expect(recent.take(100, 4)).toEqual({ lastId: 5, records: ['e5'], count: 4 });
  });

  it('counts the lines of removed entries out of its room even after many removals', () => {
    const recent = new RecentEntries(3_000, 0);
    for (let id = 1; id <= 2_500; id++) recent.add([row(id)]);
    recent.remove(2_000);
    expect(recent.take(1, 2_000)).toEqual({ lastId: 2_001, records: ['e2001'], count: 1 });
    for (let id = 2_501; id <= 5_000; id++) recent.add([row(id)]);
    // 500 + 2,500 lines held: exactly the room.
    expect(recent.holds(2_000)).toBe(true);
    expect(recent.take(2, 4_998)).toEqual({ lastId: 5_000, records: ['e4999', 'e5000'], count: 2 });
    recent.add([row(5_001)]);
    expect(recent.holds(2_000)).toBe(false);
  });
});
