import { describe, expect, it } from 'vitest';
import { type DeviceFacts, eventsOf, holds, isTimed, metricsOf } from '../../../../cloud/rules/conditions.ts';
import type { Condition, RuleDuration } from '../../../../shared/rules/schema.ts';

/** Events, absence, age and the all / any / not combinators, at their boundaries. */
const now = Date.parse('2026-11-22T16:00:00.000Z');
const minute = 60_000;

const facts = (overrides: Partial<DeviceFacts> = {}): DeviceFacts => ({
  now,
  latest: { x: 1 },
  history: {},
  events: new Set(),
  lastSeen: now,
  ...overrides,
});

const yes: Condition = { type: 'threshold', metric: 'x', op: '==', value: 1 };
const no: Condition = { type: 'threshold', metric: 'x', op: '==', value: 2 };

describe('event', () => {
  const event: Condition = { type: 'event', events: ['lampFault', 'columnIssue'] };
  it.each([
    [[], false],
    [['switchedOn'], false],
    [['lampFault'], true],
    [['columnIssue'], true],
    [['switchedOn', 'columnIssue'], true],
    [['lampFault', 'columnIssue'], true],
  ])('raised %j: holds %s', (raised, expected) => {
    expect(holds(event, facts({ events: new Set(raised) }))).toBe(expected);
  });
});

describe('absence after 5 minutes (silent for at least that long)', () => {
  const absence: Condition = { type: 'absence', after: '5m' };
  it.each([
    ['just under 5 minutes', 5 * minute - 1, false],
    ['exactly 5 minutes', 5 * minute, true],
    ['just over 5 minutes', 5 * minute + 1, true],
    ['no time at all', 0, false],
  ])('last heard %s ago: holds %s', (_, silent, expected) => {
    expect(holds(absence, facts({ lastSeen: now - silent }))).toBe(expected);
  });

  it('holds for a device never heard from', () => {
    expect(holds(absence, facts({ lastSeen: undefined }))).toBe(true);
  });
});

describe('age older than 2 days (strictly)', () => {
  const age: Condition = { type: 'age', metric: 'emptied', olderThan: '2d' };
  const emptied = (agoMs: number) => facts({ latest: { emptied: new Date(now - agoMs).toISOString() } });
  it.each([
    ['a millisecond under 2 days', 2 * 1_440 * minute - 1, false],
    ['exactly 2 days', 2 * 1_440 * minute, false],
    ['a millisecond over 2 days', 2 * 1_440 * minute + 1, true],
    ['a week', 7 * 1_440 * minute, true],
  ])('emptied %s ago: holds %s', (_, ago, expected) => {
    expect(holds(age, emptied(ago))).toBe(expected);
  });

  it('reads the timestamp with its offset', () => {
    expect(holds(age, facts({ latest: { emptied: '2026-11-20T17:00:00+01:00' } }))).toBe(false);
    expect(holds(age, facts({ latest: { emptied: '2026-11-20T15:59:59+00:00' } }))).toBe(true);
  });

  it('never holds for a number, a boolean or a missing value', () => {
    expect(holds(age, facts({ latest: { emptied: 0 } }))).toBe(false);
    expect(holds(age, facts({ latest: { emptied: true } }))).toBe(false);
    expect(holds(age, facts({ latest: {} }))).toBe(false);
  });
});

describe('all / any / not', () => {
  it.each([
    ['all', [yes], true],
    ['all', [yes, yes], true],
    ['all', [yes, no], false],
    ['all', [no, yes], false],
    ['all', [no, no], false],
    ['any', [yes], true],
    ['any', [no, no], false],
    ['any', [yes, no], true],
    ['any', [no, yes], true],
    ['any', [yes, yes], true],
  ] as const)('%s of %j holds: %s', (type, of, expected) => {
    expect(holds({ type, of: [...of] }, facts())).toBe(expected);
  });

  it('not inverts, and nests', () => {
    expect(holds({ type: 'not', of: yes }, facts())).toBe(false);
    expect(holds({ type: 'not', of: no }, facts())).toBe(true);
    expect(holds({ type: 'not', of: { type: 'not', of: yes } }, facts())).toBe(true);
    expect(
      holds({ type: 'any', of: [no, { type: 'all', of: [yes, { type: 'not', of: no }] }] }, facts()),
    ).toBe(true);
  });

  it('not of a missing value holds (a missing value satisfies nothing)', () => {
    expect(holds({ type: 'not', of: { ...yes, metric: 'missing' } }, facts())).toBe(true);
  });
});

describe('metricsOf', () => {
  const aggregate = (metric: string, window: RuleDuration): Condition => ({
    type: 'aggregate',
    metric,
    fn: 'mean',
    window,
    op: '>',
    value: 0,
  });
  const rate = (metric: string, window: RuleDuration): Condition => ({
    type: 'rateOfChange',
    metric,
    window,
    op: '>',
    value: 0,
  });

  it('gives the longest window each metric is read over, 0 for the latest value only', () => {
    const condition: Condition = {
      type: 'all',
      of: [
        { type: 'threshold', metric: 'a', op: '>', value: 1 },
        { type: 'between', metric: 'b', min: 0, max: 1 },
        { type: 'in', metric: 'c', values: ['ok'] },
        { type: 'age', metric: 'd', olderThan: '1m' },
        aggregate('e', '10m'),
        { type: 'threshold', metric: 'e', op: '<', value: 5 },
        rate('f', '3m'),
        { type: 'any', of: [rate('f', '7m'), { type: 'not', of: aggregate('g', '5m') }] },
        { type: 'event', events: ['x'] },
        { type: 'absence', after: '1m' },
      ],
    };
    expect(Object.fromEntries(metricsOf(condition))).toEqual({
      a: 0,
      b: 0,
      c: 0,
      d: 0,
      e: 10 * minute,
      f: 7 * minute,
      g: 5 * minute,
    });
  });

  it('keeps a window already known when a shorter or latest-only use follows', () => {
    const into = new Map([['a', 5 * minute]]);
    metricsOf({ type: 'threshold', metric: 'a', op: '>', value: 1 }, into);
    metricsOf(rate('a', '1m'), into);
    expect(into.get('a')).toBe(5 * minute);
  });

  it('reads no metric for events and absence', () => {
    expect(metricsOf({ type: 'event', events: ['x'] }).size).toBe(0);
    expect(metricsOf({ type: 'absence', after: '1m' }).size).toBe(0);
  });
});

describe('isTimed', () => {
  const absence: Condition = { type: 'absence', after: '1m' };
  const age: Condition = { type: 'age', metric: 'd', olderThan: '1m' };
  it.each([
    ['absence', absence, true],
    ['age', age, true],
    ['a threshold', yes, false],
    ['an event', { type: 'event', events: ['x'] }, false],
    ['all with an absence last', { type: 'all', of: [yes, absence] }, true],
    ['any with an age first', { type: 'any', of: [age, yes] }, true],
    ['all without one', { type: 'all', of: [yes, no] }, false],
    ['any without one', { type: 'any', of: [yes] }, false],
    ['not of an absence', { type: 'not', of: absence }, true],
    ['not of a threshold', { type: 'not', of: yes }, false],
  ] as [string, Condition, boolean][])('%s: %s', (_, condition, expected) => {
    expect(isTimed(condition)).toBe(expected);
  });
});

describe('eventsOf', () => {
  it('collects the events of every nested event condition', () => {
    const condition: Condition = {
      type: 'any',
      of: [
        { type: 'event', events: ['a', 'b'] },
        { type: 'all', of: [yes, { type: 'not', of: { type: 'event', events: ['c'] } }] },
        { type: 'event', events: ['a'] },
      ],
    };
    expect([...eventsOf(condition)].sort()).toEqual(['a', 'b', 'c']);
  });

  it('is empty for conditions without events', () => {
    expect(eventsOf(yes).size).toBe(0);
    expect(eventsOf({ type: 'all', of: [yes, no] }).size).toBe(0);
  });
});
