import { describe, expect, it } from 'vitest';
import { MemoryRuleStore } from '../../../../cloud/rules/memory-store.ts';
import { RuleService } from '../../../../cloud/rules/service.ts';
import { binRule, engineHarness, minute } from './engine-harness.ts';

describe('rules engine in cluster mode: only the lease holder evaluates', () => {
  it('a node that does not hold the lease raises, clears and times out nothing', async () => {
    const h = await engineHarness();
    h.rules(binRule(), binRule({ id: 'silent', condition: { type: 'absence', after: '10m' } }));
    h.evaluating(false);
    h.read('bin-1', { fillingLevel: 90 });
    h.event('bin-1', 'tilted');
    h.advance(20 * minute);
    h.tick();
    expect(await h.transitions()).toEqual([]);
    h.evaluating(true);
    h.read('bin-1', { fillingLevel: 90 });
    expect(await h.transitions()).toEqual(['fired bin-1']);
    // Nor does it clear what the holder raised, when a rule is removed through its API.
    h.evaluating(false);
    h.engine.clearAll('bin-full', 'rule deleted');
    expect(h.open('bin-1')).toBeDefined();
    h.evaluating(true);
    h.engine.clearAll('bin-full', 'rule deleted');
    expect(h.open('bin-1')).toBeUndefined();
  });

  it('a rule deleted through another node leaves no alert open once the definitions are read again', async () => {
    const h = await engineHarness();
    const store = new MemoryRuleStore();
    const changes: string[] = [];
    const here = new RuleService(
      store,
      h.engine,
      () => new Date(h.now),
      () => changes.push('here'),
    );
    await here.load([binRule(), binRule({ id: 'other' })]);
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.open('bin-1')).toBeDefined();
    const elsewhere = await otherNode(store);
    await elsewhere.delete('bin-full');
    expect(h.open('bin-1')).toBeDefined();
    await here.reload();
    expect(h.open('bin-1')).toBeUndefined();
    expect(here.list().map((r) => r.id)).toEqual(['other']);
    expect(changes).toEqual([]);
  });

  it('a change through the API is announced once it is stored', async () => {
    const h = await engineHarness();
    const changes: string[] = [];
    const rules = new RuleService(
      new MemoryRuleStore(),
      h.engine,
      () => new Date(h.now),
      () => changes.push('x'),
    );
    await rules.load([]);
    await rules.put(binRule());
    await rules.import([binRule({ id: 'b' })]);
    await rules.delete('b');
    expect(await rules.delete('missing')).toBe(false);
    expect(changes).toEqual(['x', 'x', 'x']);
  });
});

/** Another node's rule service on the same store (its engine its own). */
async function otherNode(store: MemoryRuleStore) {
  const h = await engineHarness();
  const service = new RuleService(store, h.engine, () => new Date(h.now));
  await service.load([binRule(), binRule({ id: 'other' })]);
  return service;
}
