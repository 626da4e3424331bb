import { describe, expect, it } from 'vitest';
import { type DeviceFacts, holds } from '../../../../cloud/rules/conditions.ts';
import type { Condition } from '../../../../shared/rules/schema.ts';

const now = 1_000_000;
const minute = 60_000;

/** rsrp samples, oldest first: two outside a 10-minute window, three inside. */
const facts = (overrides: Partial<DeviceFacts> = {}): DeviceFacts => ({
  now,
  latest: { rsrp: -100, status: 'ok' },
  history: {
    rsrp: [
      { t: now - 20 * minute, v: -50 },
      { t: now - 10 * minute, v: -60 },
      { t: now - 9 * minute, v: -120 },
      { t: now - 5 * minute, v: -110 },
      { t: now - 1 * minute, v: -100 },
    ],
  },
  events: new Set(),
  lastSeen: now - minute,
  ...overrides,
});

const aggregate = (fn: 'mean' | 'min' | 'max' | 'sum' | 'count', op: '<' | '>' | '==', value: number) =>
  ({ type: 'aggregate', metric: 'rsrp', fn, window: '10m', op, value }) as Condition;

describe('windowed conditions', () => {
  it('aggregate only the samples inside the window (newer than now - window)', () => {
    expect(holds(aggregate('mean', '==', -110), facts())).toBe(true);
    expect(holds(aggregate('min', '==', -120), facts())).toBe(true);
    expect(holds(aggregate('max', '==', -100), facts())).toBe(true);
    expect(holds(aggregate('sum', '==', -330), facts())).toBe(true);
    expect(holds(aggregate('count', '==', 3), facts())).toBe(true);
  });

  it('never hold on an empty window, whatever the comparison', () => {
    const stale = facts({ now: now + 60 * minute });
    for (const fn of ['mean', 'min', 'max', 'sum', 'count'] as const) {
      expect(holds(aggregate(fn, '<', 1e9), stale)).toBe(false);
      expect(holds(aggregate(fn, '>', -1e9), stale)).toBe(false);
    }
    expect(holds(aggregate('mean', '<', 0), facts({ history: {} }))).toBe(false);
  });

  it('rate of change compares the newest sample with the oldest inside the window', () => {
    const rate = (op: '==' | '>', value: number) =>
      ({ type: 'rateOfChange', metric: 'rsrp', window: '10m', op, value }) as Condition;
    expect(holds(rate('==', 20), facts())).toBe(true);
    const one = facts({ history: { rsrp: [{ t: now - minute, v: -100 }] } });
    expect(holds(rate('>', -1e9), one)).toBe(false);
  });

  it('a long window of samples is read in place (10,000 samples)', () => {
    const rsrp = Array.from({ length: 10_000 }, (_, i) => ({
      t: now - 10_000 + i,
      v: i % 2 === 0 ? -100 : -120,
    }));
    const many = facts({ history: { rsrp } });
    // Inside a 5,000 ms window: t from now - 4,999 to now - 1.
    expect(holds({ ...aggregate('count', '==', 4_999), window: '5s' } as Condition, many)).toBe(true);
    expect(
      holds({ ...aggregate('sum', '==', -2_500 * 120 - 2_499 * 100), window: '5s' } as Condition, many),
    ).toBe(true);
  });
});
