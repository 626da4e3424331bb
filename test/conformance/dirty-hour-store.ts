import { describe, expect, it } from 'vitest';
import type { DirtyHourStore } from '../../cloud/rollups/dirty-hours.ts';

/** The behaviour every DirtyHourStore must have; a new backend calls this with a factory for empty stores. */
export function dirtyHourStoreConformance(
  name: string,
  createStore: () => DirtyHourStore | Promise<DirtyHourStore>,
) {
  const h = (n: number) => Date.parse('2026-11-22T00:00:00Z') + n * 3_600_000;

  describe(`DirtyHourStore conformance: ${name}`, () => {
    it('starts empty, with an empty state', async () => {
      const store = await createStore();
      expect(await store.dirty(10)).toEqual([]);
      expect(await store.count()).toBe(0);
      expect(await store.readState()).toEqual({});
    });

    it('lists dirty hours newest first, then by measurement, each once, up to the limit', async () => {
      const store = await createStore();
      await store.mark([
        { measurement: 'streetlight', hour: h(1) },
        { measurement: 'camera', hour: h(2) },
        { measurement: 'streetlight', hour: h(2) },
      ]);
      await store.mark([{ measurement: 'streetlight', hour: h(1) }]);
      expect(await store.count()).toBe(3);
      const all = await store.dirty(10);
      expect(all.map((d) => [d.measurement, d.hour])).toEqual([
        ['camera', h(2)],
        ['streetlight', h(2)],
        ['streetlight', h(1)],
      ]);
      expect((await store.dirty(2)).map((d) => d.measurement)).toEqual(['camera', 'streetlight']);
    });

    it('clears what was computed', async () => {
      const store = await createStore();
      await store.mark([
        { measurement: 'camera', hour: h(0) },
        { measurement: 'camera', hour: h(1) },
      ]);
      const taken = await store.dirty(1);
      await store.clear(taken);
      expect((await store.dirty(10)).map((d) => d.hour)).toEqual([h(0)]);
      await store.clear(taken);
      expect(await store.count()).toBe(1);
    });

    it('keeps an hour marked again after it was taken: its new points were not in the computation', async () => {
      const store = await createStore();
      await store.mark([{ measurement: 'camera', hour: h(0) }]);
      const taken = await store.dirty(10);
      await store.mark([{ measurement: 'camera', hour: h(0) }]);
      await store.clear(taken);
      const left = await store.dirty(10);
      expect(left.map((d) => [d.measurement, d.hour])).toEqual([['camera', h(0)]]);
      expect(left[0]?.seq).toBeGreaterThan(taken[0]?.seq as number);
      await store.clear(left);
      expect(await store.count()).toBe(0);
    });

    it('gives every new mark a seq above any taken before, also after clears', async () => {
      const store = await createStore();
      await store.mark([{ measurement: 'a', hour: h(0) }]);
      const first = await store.dirty(1);
      await store.clear(first);
      await store.mark([{ measurement: 'a', hour: h(0) }]);
      const second = await store.dirty(1);
      await store.mark([{ measurement: 'a', hour: h(0) }]);
      const third = await store.dirty(1);
      expect(third[0]?.seq).toBeGreaterThan(second[0]?.seq as number);
    });

    it('keeps the state it is given', async () => {
      const store = await createStore();
      const state = {
        lastHour: h(5),
        backfill: { hours: 120, startedAt: '2026-11-22T10:00:00.000Z' },
      };
      await store.writeState(state);
      expect(await store.readState()).toEqual(state);
      await store.writeState({ ...state, backfill: { ...state.backfill, done: '2026-11-22T11:00:00.000Z' } });
      expect((await store.readState()).backfill?.done).toBe('2026-11-22T11:00:00.000Z');
    });
  });
}
