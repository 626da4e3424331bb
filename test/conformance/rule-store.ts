import { describe, expect, it } from 'vitest';
import type { RuleInput } from '../../cloud/rules/schema.ts';
import type { RuleStore } from '../../cloud/rules/store.ts';

/** The behaviour every RuleStore must have; a new backend calls this with a factory for empty stores. */
export function ruleStoreConformance(name: string, createStore: () => RuleStore | Promise<RuleStore>) {
  const at = new Date('2026-11-22T10:00:00.000Z');
  const definition = (id: string, value: number): RuleInput =>
    ({
      id,
      name: `Power above ${value}`,
      severity: 'warning',
      target: { kind: 'streetlight', districts: ['centrum'] },
      condition: { type: 'threshold', metric: 'activePower', op: '>', value },
    }) as RuleInput;

  describe(`RuleStore conformance: ${name}`, () => {
    it('keeps definitions in their input form, the last save winning', async () => {
      const store = await createStore();
      expect(await store.stored()).toEqual(new Map());
      await store.save(definition('a', 100), at);
      await store.save(definition('b', 200), at);
      await store.save(definition('a', 150), at);
      expect(await store.stored()).toEqual(
        new Map([
          ['a', definition('a', 150)],
          ['b', definition('b', 200)],
        ]),
      );
    });

    it('remembers a deletion (even of a rule it never stored), and forgets it when the rule is saved again', async () => {
      const store = await createStore();
      await store.save(definition('a', 100), at);
      await store.delete('a', at);
      await store.delete('from-the-pack', at);
      expect(await store.stored()).toEqual(
        new Map([
          ['a', null],
          ['from-the-pack', null],
        ]),
      );
      await store.save(definition('a', 120), at);
      expect((await store.stored()).get('a')).toEqual(definition('a', 120));
    });

    it('hands out copies: changing what it returned changes nothing stored', async () => {
      const store = await createStore();
      const saved = definition('a', 100);
      await store.save(saved, at);
      saved.name = 'changed after saving';
      const read = (await store.stored()).get('a') as RuleInput;
      read.name = 'changed after reading';
      expect((await store.stored()).get('a')).toEqual(definition('a', 100));
    });
  });
}
