import { describe, expect, it } from 'vitest';
import { binRule, engineHarness } from './engine-harness.ts';

const fleet = [
  { id: 'bin-1' },
  { id: 'bin-2' },
  { id: 'bin-3' },
  { id: 'bin-4' },
  { id: 'bin-5', district: 'noord', gatewayId: 'gw-2' },
];

describe('rules engine: group rules (on the timer)', () => {
  it('fires for a district once more than the threshold share of its devices meets the condition, and clears at or below', async () => {
    const h = await engineHarness(fleet);
    h.rules(binRule({ id: 'district-full', group: { by: 'district', thresholdPercent: 50 } }));
    const fill = (levels: Record<string, number>) => {
      for (const [id, fillingLevel] of Object.entries(levels)) h.read(id, { fillingLevel });
      h.tick();
    };
    fill({ 'bin-1': 90, 'bin-2': 90, 'bin-3': 10, 'bin-4': 10 });
    expect(h.open('district:centrum', 'district-full')).toBeUndefined(); // exactly 50 %
    expect(h.alertStore.allOpen()).toEqual([]);
    fill({ 'bin-3': 90 });
    expect(h.open('district:centrum', 'district-full')).toMatchObject({
      subject: { kind: 'group', id: 'district:centrum', district: 'centrum', deviceKind: 'wasteBin' },
      summary: 'Bin full: 3 of 4 devices (75 %) in district:centrum',
    });
    // Readings alone do not evaluate a group rule.
    h.read('bin-1', { fillingLevel: 10 });
    expect(h.open('district:centrum', 'district-full')).toBeDefined();
    h.tick();
    expect(h.open('district:centrum', 'district-full')).toBeUndefined();
    expect((await h.history('district-full'))[0]?.resolution).toBe('50 % at or below 50 %');
    expect(h.open('district:noord', 'district-full')).toBeUndefined();
  });

  it('groups by gateway', async () => {
    const h = await engineHarness(fleet);
    h.rules(binRule({ id: 'gateway-full', group: { by: 'gateway', thresholdPercent: 0 } }));
    h.read('bin-5', { fillingLevel: 90 });
    h.tick();
    expect(h.alertStore.allOpen().map((a) => a.subject)).toEqual([
      { kind: 'group', id: 'gateway:gw-2', district: undefined, deviceKind: 'wasteBin' },
    ]);
  });

  it('is quiet while its schedule is closed, and clears what it opened', async () => {
    const h = await engineHarness(fleet);
    h.rules(
      binRule({
        id: 'district-full',
        group: { by: 'district', thresholdPercent: 0 },
        schedule: { type: 'cron', start: '0 22 * * *', end: '0 6 * * *' },
      }),
    );
    h.read('bin-1', { fillingLevel: 90 });
    h.tick();
    expect(h.open('district:centrum', 'district-full')).toBeDefined();
    h.advance(60_000);
    h.schedule(false);
    h.tick();
    expect(h.open('district:centrum', 'district-full')).toBeUndefined();
  });
});
