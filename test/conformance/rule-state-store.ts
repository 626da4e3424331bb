import { describe, expect, it } from 'vitest';
import type { RuleStateStore } from '../../cloud/rules/state.ts';

/** The behaviour every RuleStateStore must have; a new backend calls this with a factory for empty stores. */
export function ruleStateStoreConformance(
  name: string,
  createStore: () => RuleStateStore | Promise<RuleStateStore>,
) {
  describe(`RuleStateStore conformance: ${name}`, () => {
    it('keeps the state of each rule and subject apart', async () => {
      const store = await createStore();
      expect(await store.get('r1', 'lamp-1')).toEqual({});
      await store.set('r1', 'lamp-1', { since: 1_000 });
      await store.set('r1', 'lamp-2', { clearedAt: 2_000 });
      await store.set('r2', 'lamp-1', { since: 3_000, clearedAt: 500 });
      expect(await store.get('r1', 'lamp-1')).toEqual({ since: 1_000 });
      expect(await store.get('r1', 'lamp-2')).toEqual({ clearedAt: 2_000 });
      expect(await store.get('r2', 'lamp-1')).toEqual({ since: 3_000, clearedAt: 500 });
      await store.set('r1', 'lamp-1', { clearedAt: 4_000 });
      expect(await store.get('r1', 'lamp-1')).toEqual({ clearedAt: 4_000 });
    });

    it('lists the subjects of a rule whose condition holds (waiting out `for`)', async () => {
      const store = await createStore();
      await store.set('r1', 'lamp-1', { since: 1_000 });
      await store.set('r1', 'lamp-2', { clearedAt: 2_000 });
      await store.set('r1', 'lamp-3', { since: 0 });
      await store.set('r2', 'lamp-4', { since: 1_000 });
      expect((await store.pending('r1')).sort()).toEqual(['lamp-1', 'lamp-3']);
      expect(await store.pending('none')).toEqual([]);
    });

    it('lists the rules whose condition holds for a subject, as soon as a write is called', async () => {
      const store = await createStore();
      expect([...store.pendingRules('lamp-1')]).toEqual([]);
      const writes = [
        store.set('r1', 'lamp-1', { since: 1_000 }),
        store.set('r2', 'lamp-1', { since: 0 }),
        store.set('r3', 'lamp-1', { clearedAt: 2_000 }),
        store.set('r1', 'lamp-2', { since: 1_000 }),
      ];
      expect([...store.pendingRules('lamp-1')].sort()).toEqual(['r1', 'r2']);
      writes.push(store.set('r2', 'lamp-1', { clearedAt: 3_000 }));
      expect([...store.pendingRules('lamp-1')]).toEqual(['r1']);
      writes.push(store.forgetRule('r1'));
      expect([...store.pendingRules('lamp-1')]).toEqual([]);
      expect([...store.pendingRules('lamp-2')]).toEqual([]);
      await Promise.all(writes);
      await store.set('r4', 'lamp-2', { since: 5 });
      expect([...store.pendingRules('lamp-2')]).toEqual(['r4']);
      expect([...store.pendingRules('lamp-1')]).toEqual([]);
    });

    it('answers with a write as soon as it is called, before it resolves (the engine writes behind)', async () => {
      const store = await createStore();
      const set = store.set('r1', 'lamp-1', { since: 1_000 });
      expect(store.get('r1', 'lamp-1')).toEqual({ since: 1_000 });
      expect(store.pending('r1')).toEqual(['lamp-1']);
      const forgotten = store.forgetRule('r1');
      expect(store.pending('r1')).toEqual([]);
      const again = store.set('r1', 'lamp-2', { clearedAt: 5 });
      await Promise.all([set, forgotten, again]);
      expect(store.get('r1', 'lamp-1')).toEqual({});
      expect(store.get('r1', 'lamp-2')).toEqual({ clearedAt: 5 });
    });

    it('forgets a rule, and only that rule', async () => {
      const store = await createStore();
      await store.set('r1', 'lamp-1', { since: 1_000 });
      await store.set('r2', 'lamp-1', { since: 1_000 });
      await store.forgetRule('r1');
      expect(await store.get('r1', 'lamp-1')).toEqual({});
      expect(await store.pending('r1')).toEqual([]);
      expect(await store.get('r2', 'lamp-1')).toEqual({ since: 1_000 });
    });

    it('prunes states long cleared whose condition does not hold, and only those', async () => {
      const store = await createStore();
      await store.set('r1', 'old-cleared', { clearedAt: 1_000 });
      await store.set('r1', 'recent-cleared', { clearedAt: 5_000 });
      await store.set('r1', 'holding', { since: 2_000, clearedAt: 1_000 });
      await store.set('r2', 'old-cleared', { clearedAt: 1_000 });
      expect(await store.pruneCleared(5_000)).toBe(2);
      expect(store.get('r1', 'old-cleared')).toEqual({});
      expect(store.get('r2', 'old-cleared')).toEqual({});
      expect(store.get('r1', 'recent-cleared')).toEqual({ clearedAt: 5_000 });
      expect(store.get('r1', 'holding')).toEqual({ since: 2_000, clearedAt: 1_000 });
      expect(store.pending('r1')).toEqual(['holding']);
      expect(await store.pruneCleared(5_000)).toBe(0);
    });
  });
}
