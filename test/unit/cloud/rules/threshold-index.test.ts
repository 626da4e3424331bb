import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rule, RuleInput } from '../../../../cloud/rules/schema.ts';
import { parseRule } from '../../../../cloud/rules/store.ts';
import { isIndexable, passing, thresholdGroups } from '../../../../cloud/rules/threshold-index.ts';
import { binRule } from './engine-harness.ts';

const rule = (overrides: Partial<RuleInput> = {}): Rule => parseRule(binRule(overrides), 'test');
const threshold = (id: string, op: string, value: number, metric = 'fillingLevel') =>
  rule({ id, condition: { type: 'threshold', metric, op, value } as RuleInput['condition'] });
const ops = ['>', '>=', '<', '<='] as const;

/** The ids of the rules of the one group of `rules` that `v` passes. */
function passed(rules: Rule[], v: number): string[] {
  const [group] = thresholdGroups(rules);
  if (!group) return [];
  const [from, to] = passing(group, v);
  return group.rules.slice(from, to).map((r) => r.id);
}

describe('threshold index', () => {
  it('indexes plain numeric thresholds on every device of a kind or its districts only', () => {
    expect(isIndexable(rule())).toBe(true);
    expect(isIndexable(rule({ target: { kind: 'wasteBin', districts: ['centrum'] } }))).toBe(true);
    for (const op of ops) expect(isIndexable(threshold('t', op, 1))).toBe(true);
    expect(isIndexable(threshold('t', '==', 1))).toBe(false);
    expect(isIndexable(threshold('t', '!=', 1))).toBe(false);
    expect(
      isIndexable(rule({ condition: { type: 'threshold', metric: 'fillingLevel', op: '>', value: 'x' } })),
    ).toBe(false);
    expect(
      isIndexable(rule({ condition: { type: 'between', metric: 'fillingLevel', min: 1, max: 2 } })),
    ).toBe(false);
    expect(isIndexable(rule({ target: { kind: 'wasteBin', devices: ['bin-1'] } }))).toBe(false);
    expect(isIndexable(rule({ target: { kind: 'wasteBin', gateways: ['gw-1'] } }))).toBe(false);
    expect(isIndexable(rule({ group: { by: 'district', thresholdPercent: 50 } }))).toBe(false);
  });

  it('groups by metric and operator, each sorted by its threshold', () => {
    const groups = thresholdGroups([
      threshold('a', '>', 30),
      threshold('b', '>', 10),
      threshold('c', '<', 5),
      threshold('d', '>', 20, 'temperature'),
      threshold('e', '>', 20),
    ]);
    expect(groups.map((g) => [g.metric, g.op, g.rules.map((r) => r.id), g.values])).toEqual([
      ['fillingLevel', '>', ['b', 'e', 'a'], [10, 20, 30]],
      ['fillingLevel', '<', ['c'], [5]],
      ['temperature', '>', ['d'], [20]],
    ]);
  });

  it('finds the thresholds a value passes, at and around each boundary', () => {
    const names: Record<string, string> = { '>': 'gt', '>=': 'ge', '<': 'lt', '<=': 'le' };
    const at = (op: string) => [10, 20, 20, 30].map((v, i) => threshold(`${names[op]}${i}`, op, v));
    expect(passed(at('>'), 20)).toEqual(['gt0']);
    expect(passed(at('>'), 20.5)).toEqual(['gt0', 'gt1', 'gt2']);
    expect(passed(at('>'), 10)).toEqual([]);
    expect(passed(at('>'), 31)).toHaveLength(4);
    expect(passed(at('>='), 20)).toEqual(['ge0', 'ge1', 'ge2']);
    expect(passed(at('>='), 9.9)).toEqual([]);
    expect(passed(at('>='), 30)).toHaveLength(4);
    expect(passed(at('<'), 20)).toEqual(['lt3']);
    expect(passed(at('<'), 19.5)).toEqual(['lt1', 'lt2', 'lt3']);
    expect(passed(at('<'), 30)).toEqual([]);
    expect(passed(at('<'), 9)).toHaveLength(4);
    expect(passed(at('<='), 20)).toEqual(['le1', 'le2', 'le3']);
    expect(passed(at('<='), 30.1)).toEqual([]);
    expect(passed(at('<='), 10)).toHaveLength(4);
    for (const op of ops) expect(passed(at(op), Number.NaN)).toEqual([]);
  });

  it('passes exactly the thresholds the comparison holds for, for any values', () => {
    const compare = {
      '>': (a: number, b: number) => a > b,
      '>=': (a: number, b: number) => a >= b,
      '<': (a: number, b: number) => a < b,
      '<=': (a: number, b: number) => a <= b,
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...ops),
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 12 }),
        fc.oneof(fc.integer({ min: -6, max: 6 }), fc.double({ min: -6, max: 6, noNaN: true })),
        (op, values, v) => {
          const rules = values.map((value, i) => threshold(`r${i}`, op, value));
          const expected = rules.filter((_, i) => compare[op](v, values[i] as number)).map((r) => r.id);
          expect(passed(rules, v).sort()).toEqual(expected.sort());
        },
      ),
    );
  });
});
