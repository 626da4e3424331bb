import { describe, expect, it } from 'vitest';
import { deriveState, type MapState, worse, worstOf, zeroCounts } from '../../../../cloud/live/map-state.ts';
import type { AlertSeverity } from '../../../../shared/severity.ts';

describe('map state', () => {
  it.each([
    [true, [], 'ok'],
    [false, [], 'offline'],
    [true, ['info'], 'info'],
    [false, ['info'], 'info'],
    [false, ['minor', 'warning'], 'minor'],
    [true, ['warning', 'critical', 'major'], 'critical'],
    [true, ['major', 'info'], 'major'],
  ] as [boolean, AlertSeverity[], MapState][])('online %s with open %j is %s', (online, open, state) => {
    expect(deriveState(online, open)).toBe(state);
  });

  it('orders ok < offline < info < warning < minor < major < critical', () => {
    const order: MapState[] = ['ok', 'offline', 'info', 'warning', 'minor', 'major', 'critical'];
    for (const [i, a] of order.entries())
      for (const [j, b] of order.entries()) expect(worse(a, b)).toBe(order[Math.max(i, j)]);
  });

  it.each([
    [{}, 'ok'],
    [{ ok: 5 }, 'ok'],
    [{ ok: 5, offline: 1 }, 'offline'],
    [{ offline: 3, critical: 1, info: 2 }, 'critical'],
    [{ ok: 1, major: 0, minor: 1 }, 'minor'],
  ] as [Partial<Record<MapState, number>>, MapState][])('the worst of %j is %s', (counts, worst) => {
    expect(worstOf({ ...zeroCounts(), ...counts })).toBe(worst);
  });
});
