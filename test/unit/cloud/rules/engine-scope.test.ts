import { describe, expect, it } from 'vitest';
import { binRule, engineHarness, minute, second } from './engine-harness.ts';

/** Two rules on the same bins: `timed` has the option under test, `plain` has none. */
const plain = binRule({
  id: 'plain',
  condition: { type: 'threshold', metric: 'fillingLevel', op: '>', value: 50 },
});

describe('rules engine: a rule touches only its own alerts, devices and metrics', () => {
  it('auto-clear resolves only the alerts of the rule that asks for it', async () => {
    const h = await engineHarness();
    h.rules(binRule({ autoClearAfter: '15m' }), plain);
    h.read('bin-1', { fillingLevel: 90 });
    h.at(15 * minute);
    h.tick();
    expect(h.open('bin-1')).toBeUndefined();
    expect(h.open('bin-1', 'plain')).toBeDefined();
  });

  it('auto-clear is not undone by the timer: a plain threshold rule is not evaluated on a tick', async () => {
    const h = await engineHarness();
    h.rules(binRule({ autoClearAfter: '15m' }));
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.counters.get('rules_evaluated')).toBe(1);
    h.at(15 * minute);
    h.tick();
    // Its condition still holds on the latest values, but only a new reading may fire it again.
    expect(h.open('bin-1')).toBeUndefined();
    h.tick();
    expect(h.open('bin-1')).toBeUndefined();
    expect(h.counters.get('rules_evaluated')).toBe(1);
  });

  it('escalates only the alerts of the rule that asks for it, and not without a severity to escalate to', async () => {
    const h = await engineHarness();
    h.rules(binRule({ escalateAfter: '10m', escalateTo: 'critical' }), plain, {
      ...plain,
      id: 'half',
      escalateAfter: '10m',
    });
    h.read('bin-1', { fillingLevel: 90 });
    h.at(10 * minute);
    h.tick();
    expect(h.open('bin-1')?.severity).toBe('critical');
    expect(h.open('bin-1', 'plain')?.severity).toBe('warning');
    expect(h.open('bin-1', 'half')?.severity).toBe('warning');
  });

  it('disabling a rule clears its alerts only, and setting the same rules again leaves open alerts open', async () => {
    const h = await engineHarness();
    const rules = h.rules(binRule(), plain);
    h.read('bin-1', { fillingLevel: 90 });
    h.engine.setRules(rules);
    expect(h.open('bin-1')).toBeDefined();
    h.rules(binRule({ enabled: false }), plain);
    expect(h.open('bin-1')).toBeUndefined();
    expect(h.open('bin-1', 'plain')).toBeDefined();
  });

  it('a closing schedule clears an open alert whose device no longer waits out anything', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({
        clear: { type: 'threshold', metric: 'fillingLevel', op: '<', value: 60 },
        schedule: { type: 'cron', start: '0 22 * * *', end: '0 6 * * *' },
      }),
    );
    h.read('bin-1', { fillingLevel: 90 });
    h.read('bin-1', { fillingLevel: 70 }); // neither the condition nor the clear condition holds
    expect(h.states.pending('bin-full')).toEqual([]);
    h.at(minute);
    h.schedule(false);
    h.tick();
    expect((await h.history())[0]?.resolution).toBe('outside the rule schedule');
  });

  it('on the timer, a closing schedule clears only its own rule’s alerts', async () => {
    const h = await engineHarness([{ id: 'bin-1' }, { id: 'bin-2' }]);
    h.rules(
      binRule({ id: 'night', for: '1h', schedule: { type: 'cron', start: '0 22 * * *', end: '0 6 * * *' } }),
      plain,
    );
    h.read('bin-2', { fillingLevel: 90 });
    h.at(minute);
    h.schedule(false);
    h.tick();
    // bin-2's alert of the other rule does not make the scheduled rule look at bin-2.
    expect(h.states.get('night', 'bin-2')).toEqual({ since: undefined, clearedAt: undefined });
    expect(h.open('bin-2', 'plain')).toBeDefined();
  });

  it('a rule without a schedule is active whatever the schedules say', async () => {
    const h = await engineHarness();
    h.rules(binRule());
    h.schedule(false);
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.open('bin-1')).toBeDefined();
  });

  it('setting the rules again asks the schedule again, within the same minute', async () => {
    const h = await engineHarness();
    const rules = h.rules(binRule({ schedule: { type: 'cron', start: '0 22 * * *', end: '0 6 * * *' } }));
    h.read('bin-1', { fillingLevel: 10 });
    h.schedule(false);
    h.engine.setRules(rules);
    h.advance(second);
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.open('bin-1')).toBeUndefined();
  });

  it('a clear condition on another metric is looked up by that metric', async () => {
    const h = await engineHarness();
    h.rules(binRule({ clear: { type: 'threshold', metric: 'temperature', op: '<', value: 0 } }));
    h.read('bin-1', { fillingLevel: 90, temperature: 20 });
    h.read('bin-1', { fillingLevel: 70 }); // hysteresis: stays open
    expect(h.open('bin-1')).toBeDefined();
    h.read('bin-1', { temperature: -5 });
    expect(h.open('bin-1')).toBeUndefined();
  });

  it('an absence rule is not an event rule: it clears once the device is heard again', async () => {
    const h = await engineHarness();
    h.rules(binRule({ id: 'silent', condition: { type: 'absence', after: '30m' } }));
    h.at(30 * minute);
    h.tick();
    expect(h.open('bin-1', 'silent')).toBeDefined();
    h.read('bin-1', { fillingLevel: 10 });
    h.tick();
    expect(h.open('bin-1', 'silent')).toBeUndefined();
  });

  it('a rule on an event or a metric clears when neither holds, as a metric rule does', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({
        condition: {
          type: 'any',
          of: [
            { type: 'event', events: ['fireRisk'] },
            { type: 'threshold', metric: 'temperature', op: '>', value: 70 },
          ],
        },
      }),
    );
    h.read('bin-1', { temperature: 75 });
    expect(h.open('bin-1')).toBeDefined();
    h.read('bin-1', { temperature: 20 });
    expect(h.open('bin-1')).toBeUndefined();
  });

  it('a `for` rule added later waits for the next reading of a device another rule alerts on', async () => {
    const h = await engineHarness();
    h.rules(plain);
    h.read('bin-1', { fillingLevel: 90, temperature: 60 });
    const hot = { type: 'threshold', metric: 'temperature', op: '>', value: 50 } as const;
    h.rules(binRule({ id: 'hot', condition: hot, for: '10m' }), plain);
    h.tick();
    expect(h.states.get('hot', 'bin-1').since).toBeUndefined();
    h.read('bin-1', { temperature: 60 });
    expect(h.states.get('hot', 'bin-1').since).toBe(h.now);
  });

  it('a rule narrowed to a district meets only readings carrying its metrics', async () => {
    const h = await engineHarness();
    h.rules(binRule({ target: { kind: 'wasteBin', districts: ['centrum'] } }));
    h.read('bin-1', { temperature: 20 });
    expect(h.counters.get('rules_evaluated')).toBe(0);
    h.read('bin-1', { fillingLevel: 20 });
    expect(h.counters.get('rules_evaluated')).toBe(1);
  });

  it('a reading or event of a device the rule does not target is no evaluation, and leaves no counter', async () => {
    const h = await engineHarness([{ id: 'bin-1' }, { id: 'bin-2' }, { id: 'lamp-1', kind: 'streetlight' }]);
    h.rules(
      binRule({ target: { kind: 'wasteBin', devices: ['bin-1'] } }),
      binRule({ id: 'fire', condition: { type: 'event', events: ['fireRisk'] } }),
    );
    h.read('bin-2', { fillingLevel: 90 });
    // An event claiming a kind the registry does not know the device as.
    h.engine.onEvents([
      { deviceId: 'lamp-1', kind: 'wasteBin', type: 'fireRisk', ts: new Date(h.now).toISOString() },
    ]);
    expect(h.alertStore.allOpen()).toEqual([]);
    expect(h.counters.snapshot()).not.toHaveProperty('rules_evaluated');
  });

  it('counts the evaluations of a group rule, one per group', async () => {
    const h = await engineHarness([{ id: 'bin-1' }, { id: 'bin-2', district: 'noord' }]);
    h.rules(binRule({ group: { by: 'district', thresholdPercent: 50 } }));
    h.tick();
    expect(h.counters.get('rules_evaluated')).toBe(2);
  });

  it('skips what it cannot know: events of a kind no rule is about, a ticking engine with no rules, a pending device the registry forgot', async () => {
    const h = await engineHarness([{ id: 'bin-1' }, { id: 'lamp-1', kind: 'streetlight' }]);
    h.tick();
    h.event('lamp-1', 'lampFailure');
    h.rules(binRule({ for: '10m' }));
    await h.states.set('bin-full', 'bin-gone', { since: h.now, clearedAt: undefined });
    h.at(10 * minute);
    h.tick();
    expect(h.alertStore.allOpen()).toEqual([]);
  });

  it('a windowed metric missing from a reading adds no sample', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({
        condition: {
          type: 'aggregate',
          metric: 'temperature',
          fn: 'mean',
          window: '10m',
          op: '>',
          value: 20,
        },
      }),
    );
    h.read('bin-1', { temperature: 30 });
    h.read('bin-1', { fillingLevel: 10 });
    h.read('bin-1', { temperature: 40 });
    expect(h.open('bin-1')).toBeDefined();
  });

  it('of two samples with the same time, the one that arrived last counts as the newer', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({
        condition: { type: 'rateOfChange', metric: 'fillingLevel', window: '1h', op: '>=', value: 35 },
      }),
    );
    h.read('bin-1', { fillingLevel: 10 });
    h.advance(20 * minute);
    h.read('bin-1', { fillingLevel: 40 });
    expect(h.open('bin-1')).toBeUndefined();
    h.read('bin-1', { fillingLevel: 50 }); // same time stamp: 10 -> 50
    expect(h.open('bin-1')).toBeDefined();
  });

  it('a rule state the store fails to write is counted and logged, with the rule', async () => {
    const h = await engineHarness();
    h.rules(binRule({ for: '10m' }));
    h.states.set = () => Promise.reject(new Error('disk full'));
    h.read('bin-1', { fillingLevel: 90 });
    await expect.poll(() => h.counters.get('rules_errors')).toBe(1);
    expect(h.logged).toEqual([
      expect.objectContaining({ ruleId: 'bin-full', msg: 'rule state not stored', err: expect.anything() }),
    ]);
  });
});
