import { describe, expect, it } from 'vitest';
import { binRule, engineHarness, minute, second } from './engine-harness.ts';

describe('rules engine: durations and timers (injected clock)', () => {
  it('fires a `for` rule only once the condition held for the whole duration, on a reading or on the timer', async () => {
    const h = await engineHarness([{ id: 'bin-1' }, { id: 'bin-2' }]);
    h.rules(binRule({ for: '5m' }));
    h.read('bin-1', { fillingLevel: 90 });
    h.read('bin-2', { fillingLevel: 90 });
    expect(h.states.pending('bin-full').sort()).toEqual(['bin-1', 'bin-2']);
    h.at(5 * minute - 1);
    h.tick();
    h.read('bin-2', { fillingLevel: 91 });
    expect(h.alertStore.allOpen()).toEqual([]);
    h.at(5 * minute);
    h.tick();
    expect(h.open('bin-1')).toBeDefined();
    h.read('bin-2', { fillingLevel: 92 });
    expect(h.open('bin-2')).toBeDefined();
  });

  it('an open alert is refreshed by every match, even while a new `for` duration runs (hysteresis)', async () => {
    const h = await engineHarness();
    h.rules(binRule({ for: '5m', clear: { type: 'threshold', metric: 'fillingLevel', op: '<', value: 60 } }));
    h.read('bin-1', { fillingLevel: 90 });
    h.at(5 * minute);
    h.tick();
    h.at(6 * minute);
    h.read('bin-1', { fillingLevel: 70 }); // no match, not clear either
    h.at(7 * minute);
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.open('bin-1')?.lastMatchAt).toBe(new Date(h.now).toISOString());
  });

  it('starts a `for` duration again when the condition stopped holding in between', async () => {
    const h = await engineHarness();
    h.rules(binRule({ for: '5m' }));
    h.read('bin-1', { fillingLevel: 90 });
    h.at(4 * minute);
    h.read('bin-1', { fillingLevel: 50 });
    expect(h.states.pending('bin-full')).toEqual([]);
    h.at(5 * minute);
    h.read('bin-1', { fillingLevel: 90 });
    h.at(9 * minute);
    h.tick();
    expect(h.open('bin-1')).toBeUndefined();
    h.at(10 * minute);
    h.tick();
    expect(h.open('bin-1')).toBeDefined();
  });

  it('flap protection: after a clear, does not fire again within `minInterval`', async () => {
    const h = await engineHarness();
    h.rules(binRule({ minInterval: '10m' }));
    h.read('bin-1', { fillingLevel: 90 });
    h.at(minute);
    h.read('bin-1', { fillingLevel: 10 }); // cleared at 1 min
    h.at(11 * minute - 1);
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.open('bin-1')).toBeUndefined();
    h.at(11 * minute);
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.open('bin-1')).toBeDefined();
    expect(await h.history()).toHaveLength(2);
  });

  it('absence: fires once a device stayed silent `after`, counted from the engine start for a device never heard', async () => {
    const h = await engineHarness([{ id: 'bin-1' }, { id: 'bin-2' }]);
    h.rules(binRule({ id: 'silent', condition: { type: 'absence', after: '30m' } }));
    h.at(10 * minute);
    h.read('bin-1', { fillingLevel: 10 });
    h.at(30 * minute - 1);
    h.tick();
    expect(h.alertStore.allOpen()).toEqual([]);
    h.at(30 * minute);
    h.tick();
    expect(h.alertStore.allOpen().map((a) => a.subject.id)).toEqual(['bin-2']);
    h.at(40 * minute - 1);
    h.tick();
    expect(h.open('bin-1', 'silent')).toBeUndefined();
    h.at(40 * minute);
    h.tick();
    expect(h.open('bin-1', 'silent')).toBeDefined();
    // Heard again: the absence clears on the next tick.
    h.read('bin-2', { fillingLevel: 10 });
    expect(h.open('bin-2', 'silent')).toBeDefined();
    h.tick();
    expect(h.open('bin-2', 'silent')).toBeUndefined();
  });

  it('absence is checked only on the devices the rule targets', async () => {
    const h = await engineHarness([
      { id: 'bin-1' },
      { id: 'bin-2', district: 'noord' },
      { id: 'lamp-1', kind: 'streetlight' },
    ]);
    h.rules(
      binRule({
        id: 'silent',
        target: { kind: 'wasteBin', districts: ['noord'] },
        condition: { type: 'absence', after: '30m' },
      }),
    );
    h.at(30 * minute);
    h.tick();
    expect(h.alertStore.allOpen().map((a) => a.subject.id)).toEqual(['bin-2']);
  });

  it('age: fires once a timestamp metric is older than the duration, on the timer', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({ id: 'not-emptied', condition: { type: 'age', metric: 'dateLastEmptying', olderThan: '1d' } }),
    );
    h.read('bin-1', { dateLastEmptying: new Date(h.now).toISOString() });
    h.at(24 * 60 * minute);
    h.tick();
    expect(h.open('bin-1', 'not-emptied')).toBeUndefined();
    h.at(24 * 60 * minute + 1);
    h.tick();
    expect(h.open('bin-1', 'not-emptied')).toBeDefined();
  });

  it('auto-clear: an alert whose condition did not match again for `autoClearAfter` resolves itself', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({ id: 'fire', condition: { type: 'event', events: ['fireRisk'] }, autoClearAfter: '15m' }),
    );
    h.event('bin-1', 'fireRisk');
    // An event-only rule does not clear when a later message lacks the event.
    h.read('bin-1', { fillingLevel: 10 });
    h.at(15 * minute - 1);
    h.tick();
    expect(h.open('bin-1', 'fire')).toBeDefined();
    h.at(15 * minute);
    h.tick();
    expect(h.open('bin-1', 'fire')).toBeUndefined();
    expect((await h.history('fire'))[0]).toMatchObject({
      state: 'resolved',
      resolution: 'no repeat for 15 min (auto-clear)',
    });
  });

  it('an event rule stays open on the timer while the event is not repeated', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({
        id: 'fire',
        condition: { type: 'event', events: ['fireRisk'] },
        schedule: { type: 'cron', start: '0 22 * * *', end: '0 6 * * *' },
      }),
    );
    h.event('bin-1', 'fireRisk');
    h.advance(minute);
    h.tick();
    expect(h.open('bin-1', 'fire')).toBeDefined();
  });

  it('auto-clear counts from the last match, refreshed at most every 30 s', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({ id: 'fire', condition: { type: 'event', events: ['fireRisk'] }, autoClearAfter: '15m' }),
    );
    h.event('bin-1', 'fireRisk');
    h.at(30 * second - 1);
    h.event('bin-1', 'fireRisk'); // too soon to be written
    h.at(5 * minute);
    h.event('bin-1', 'fireRisk');
    expect(h.open('bin-1', 'fire')?.lastMatchAt).toBe(new Date(h.now).toISOString());
    h.at(20 * minute - 1);
    h.tick();
    expect(h.open('bin-1', 'fire')).toBeDefined();
    h.at(20 * minute);
    h.tick();
    expect(h.open('bin-1', 'fire')).toBeUndefined();
    expect(await h.history('fire')).toHaveLength(1);
  });

  it('escalates an alert nobody acknowledged within `escalateAfter`, once', async () => {
    const h = await engineHarness([{ id: 'bin-1' }, { id: 'bin-2' }]);
    h.rules(binRule({ escalateAfter: '10m', escalateTo: 'critical' }));
    h.read('bin-1', { fillingLevel: 90 });
    h.read('bin-2', { fillingLevel: 90 });
    await h.alerts.acknowledge(h.open('bin-2')?.id as string, 'ops');
    h.at(10 * minute - 1);
    h.tick();
    expect(h.open('bin-1')?.severity).toBe('warning');
    h.at(10 * minute);
    h.tick();
    h.tick();
    expect(h.open('bin-1')?.severity).toBe('critical');
    expect(h.open('bin-2')?.severity).toBe('warning');
    expect((await h.transitions()).filter((t) => t.startsWith('escalated'))).toEqual(['escalated bin-1']);
  });

  it('a schedule: no alert while the rule is inactive, and an open alert clears when it closes', async () => {
    const h = await engineHarness();
    h.rules(binRule({ schedule: { type: 'cron', start: '0 22 * * *', end: '0 6 * * *' } }));
    h.schedule(false);
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.open('bin-1')).toBeUndefined();
    // The schedule is asked at most once a minute: a change shows from the next minute.
    h.schedule(true);
    h.at(minute - 1);
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.open('bin-1')).toBeUndefined();
    h.at(minute);
    h.schedule(true);
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.open('bin-1')).toBeDefined();
    h.at(2 * minute);
    h.schedule(false);
    h.tick();
    expect(h.open('bin-1')).toBeUndefined();
    expect((await h.history())[0]?.resolution).toBe('outside the rule schedule');
  });

  it('a closing schedule clears an alert even while its clear condition does not hold', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({
        clear: { type: 'threshold', metric: 'fillingLevel', op: '<', value: 60 },
        schedule: { type: 'cron', start: '0 22 * * *', end: '0 6 * * *' },
      }),
    );
    h.read('bin-1', { fillingLevel: 90 });
    h.at(minute);
    h.schedule(false);
    h.read('bin-1', { fillingLevel: 70 });
    expect(h.open('bin-1')).toBeUndefined();
    expect((await h.history())[0]?.resolution).toBe('outside the rule schedule');
  });
});
