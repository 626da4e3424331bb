import { describe, expect, it } from 'vitest';
import { type DeviceFacts, holds } from '../../../../cloud/rules/conditions.ts';
import type { Condition } from '../../../../shared/rules/schema.ts';

/**
 * Every comparison at, just below and just above its boundary: a rule that fires on the wrong side
 * of its threshold fails one of these rows.
 */
const now = 1_000_000;
const minute = 60_000;
type Op = '>' | '>=' | '<' | '<=' | '==' | '!=';

const facts = (overrides: Partial<DeviceFacts> = {}): DeviceFacts => ({
  now,
  latest: {},
  history: {},
  events: new Set(),
  lastSeen: now,
  ...overrides,
});
const latest = (value: string | number | boolean) => facts({ latest: { x: value } });

/** For a boundary of 10: [op, below (9.999), at (10), above (10.001)]. */
const operators: [Op, boolean, boolean, boolean][] = [
  ['>', false, false, true],
  ['>=', false, true, true],
  ['<', true, false, false],
  ['<=', true, true, false],
  ['==', false, true, false],
  ['!=', true, false, true],
];
const sides = (below: boolean, at: boolean, above: boolean) =>
  [
    [9.999, below],
    [10, at],
    [10.001, above],
  ] as const;

describe('threshold', () => {
  const threshold = (op: Op, value: string | number | boolean): Condition => ({
    type: 'threshold',
    metric: 'x',
    op,
    value,
  });

  describe.each(operators)('x %s 10', (op, below, at, above) => {
    it.each(sides(below, at, above))('x = %d holds: %s', (x, expected) => {
      expect(holds(threshold(op, 10), latest(x))).toBe(expected);
    });
  });

  it.each([
    ['==', 'ok', 'ok', true],
    ['==', 'ok', 'defectiveLamp', false],
    ['!=', 'ok', 'ok', false],
    ['!=', 'ok', 'defectiveLamp', true],
    ['==', true, true, true],
    ['==', true, false, false],
    ['!=', true, false, true],
    ['<', 'b', 'a', true],
    ['<', 'b', 'b', false],
    ['>', 'b', 'c', true],
  ] as const)('%s %j with the device at %j holds: %s', (op, value, x, expected) => {
    expect(holds(threshold(op, value), latest(x))).toBe(expected);
  });

  it.each(operators.map(([op]) => op))('x %s 10 never holds for a value of another type or none', (op) => {
    expect(holds(threshold(op, 10), latest('10'))).toBe(false);
    expect(holds(threshold(op, 10), latest(true))).toBe(false);
    expect(holds(threshold(op, 'ok'), latest(10))).toBe(false);
    expect(holds(threshold(op, 10), facts({ latest: { y: 10 } }))).toBe(false);
  });
});

describe('between 10 and 20 (both ends included)', () => {
  const between: Condition = { type: 'between', metric: 'x', min: 10, max: 20 };
  it.each([
    [9.999, false],
    [10, true],
    [10.001, true],
    [15, true],
    [19.999, true],
    [20, true],
    [20.001, false],
  ])('x = %d holds: %s', (x, expected) => {
    expect(holds(between, latest(x))).toBe(expected);
  });

  it('never holds for a string, a boolean or a missing value', () => {
    expect(holds(between, latest('15'))).toBe(false);
    expect(holds(between, latest(true))).toBe(false);
    expect(holds({ type: 'between', metric: 'x', min: 0, max: 1 }, latest(true))).toBe(false);
    expect(holds(between, facts())).toBe(false);
  });
});

describe('in', () => {
  const oneOf: Condition = { type: 'in', metric: 'x', values: ['ok', 3, true] };
  it.each([
    ['ok', true],
    ['OK', false],
    [3, true],
    ['3', false],
    [3.001, false],
    [true, true],
    [false, false],
  ])('x = %j holds: %s', (x, expected) => {
    expect(holds(oneOf, latest(x))).toBe(expected);
  });

  it('never holds for a missing value', () => {
    expect(holds(oneOf, facts())).toBe(false);
  });
});

/** Samples of x, oldest first, `ago` minutes before now. */
const history = (...samples: [ago: number, v: number][]) =>
  facts({ history: { x: samples.map(([ago, v]) => ({ t: now - ago * minute, v })) } });

describe('rateOfChange over 10 minutes (newest minus oldest sample inside the window)', () => {
  const rate = (op: Op, value: number): Condition => ({
    type: 'rateOfChange',
    metric: 'x',
    window: '10m',
    op,
    value,
  });

  describe.each(operators)('change %s 10', (op, below, at, above) => {
    it.each(sides(below, at, above))('a change of %d holds: %s', (change, expected) => {
      expect(holds(rate(op, 10), history([9, 100], [5, 50], [1, 100 + change]))).toBe(expected);
    });
  });

  it('reads a fall as a negative change', () => {
    expect(holds(rate('<', 0), history([9, 100], [1, 90]))).toBe(true);
    expect(holds(rate('==', -10), history([9, 100], [1, 90]))).toBe(true);
  });

  it('needs two samples inside the window', () => {
    expect(holds(rate('>=', 0), history([1, 100]))).toBe(false);
    expect(holds(rate('>=', 0), history([9, 100], [1, 100]))).toBe(true);
    expect(holds(rate('>=', 0), history([11, 100], [1, 100]))).toBe(false);
    expect(holds(rate('>=', 0), facts())).toBe(false);
  });

  it('leaves out a sample exactly one window old and takes one a millisecond newer', () => {
    const edge = (t: number) =>
      facts({
        history: {
          x: [
            { t, v: 0 },
            { t: now - 5 * minute, v: 50 },
            { t: now, v: 100 },
          ],
        },
      });
    expect(holds(rate('==', 50), edge(now - 10 * minute))).toBe(true);
    expect(holds(rate('==', 100), edge(now - 10 * minute + 1))).toBe(true);
  });
});

describe('aggregate over 10 minutes', () => {
  const aggregate = (fn: 'mean' | 'min' | 'max' | 'sum' | 'count', op: Op, value: number): Condition => ({
    type: 'aggregate',
    metric: 'x',
    fn,
    window: '10m',
    op,
    value,
  });
  // Outside the window: 1000 (too old); inside: 4, 10, 16 (mean 10, min 4, max 16, sum 30, count 3).
  const samples = history([30, 1_000], [10, 1_000], [9, 4], [5, 10], [1, 16]);

  it.each([
    ['mean', 10],
    ['min', 4],
    ['max', 16],
    ['sum', 30],
    ['count', 3],
  ] as const)('%s of the samples inside the window is %d', (fn, value) => {
    for (const [op, below, at, above] of operators) {
      expect(holds(aggregate(fn, op, value + 0.001), samples), `${fn} ${op} ${value}+`).toBe(below);
      expect(holds(aggregate(fn, op, value), samples), `${fn} ${op} ${value}`).toBe(at);
      expect(holds(aggregate(fn, op, value - 0.001), samples), `${fn} ${op} ${value}-`).toBe(above);
    }
  });

  it('min and max of negative values, and of one sample', () => {
    const negative = history([9, -5], [5, -20], [1, -1]);
    expect(holds(aggregate('min', '==', -20), negative)).toBe(true);
    expect(holds(aggregate('max', '==', -1), negative)).toBe(true);
    const one = history([1, 7]);
    for (const fn of ['mean', 'min', 'max', 'sum'] as const) {
      expect(holds(aggregate(fn, '==', 7), one), fn).toBe(true);
    }
    expect(holds(aggregate('count', '==', 1), one)).toBe(true);
  });

  it('never holds on an empty window, even for count == 0', () => {
    expect(holds(aggregate('count', '==', 0), history([11, 5]))).toBe(false);
    expect(holds(aggregate('sum', '<=', 0), facts())).toBe(false);
  });
});
