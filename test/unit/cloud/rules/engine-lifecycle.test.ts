import { describe, expect, it } from 'vitest';
import { binRule, engineHarness, minute } from './engine-harness.ts';

describe('rules engine and alert service: the alert lifecycle', () => {
  it('firing → acknowledged → resolved by the rule; the next match opens a new alert', async () => {
    const h = await engineHarness();
    h.rules(binRule());
    h.read('bin-1', { fillingLevel: 90 });
    const fired = h.open('bin-1');
    h.advance(minute);
    await h.alerts.acknowledge(fired?.id as string, 'ops', 'on my way');
    h.read('bin-1', { fillingLevel: 95 });
    expect(h.open('bin-1')).toMatchObject({ id: fired?.id, state: 'acknowledged', acknowledgedBy: 'ops' });
    h.read('bin-1', { fillingLevel: 10 });
    h.read('bin-1', { fillingLevel: 90 });
    expect((await h.history()).map((a) => a.state)).toEqual(['resolved', 'firing']);
    expect(await h.transitions()).toEqual([
      'fired bin-1',
      'acknowledged bin-1',
      'resolved bin-1',
      'fired bin-1',
    ]);
    expect(
      (await h.alertStore.get(fired?.id as string))?.history.map((e) => `${e.action} ${e.actor}`),
    ).toEqual(['fired rules', 'acknowledged ops', 'resolved rules']);
    expect(h.counters.get('alerts_fired')).toBe(2);
    expect(h.counters.get('alerts_resolved')).toBe(1);
  });

  it('an alert resolved by hand fires again on the next match', async () => {
    const h = await engineHarness();
    h.rules(binRule());
    h.read('bin-1', { fillingLevel: 90 });
    await h.alerts.resolve(h.open('bin-1')?.id as string, 'ops', 'emptied');
    expect(h.open('bin-1')).toBeUndefined();
    h.advance(minute);
    h.read('bin-1', { fillingLevel: 90 });
    expect((await h.history()).map((a) => [a.state, a.resolvedBy ?? null])).toEqual([
      ['resolved', 'ops'],
      ['firing', null],
    ]);
  });

  it('one alert per occurrence when the rule asks for it', async () => {
    const h = await engineHarness();
    h.rules(binRule({ id: 'tilted', condition: { type: 'event', events: ['tilted'] }, perOccurrence: true }));
    h.event('bin-1', 'tilted');
    h.advance(minute);
    h.event('bin-1', 'tilted');
    h.event('bin-1', 'emptied');
    expect((await h.history('tilted')).map((a) => a.state)).toEqual(['firing', 'firing']);
  });

  it('alerts per occurrence are not cleared by the condition ceasing to hold (only by auto-clear or by hand)', async () => {
    const h = await engineHarness();
    h.rules(binRule({ perOccurrence: true }));
    h.read('bin-1', { fillingLevel: 90 });
    h.advance(minute);
    h.read('bin-1', { fillingLevel: 95 });
    h.advance(minute);
    h.read('bin-1', { fillingLevel: 10 });
    expect((await h.history()).map((a) => a.state)).toEqual(['firing', 'firing']);
  });

  it('flap protection holds for an event rule cleared by its clear condition', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({
        id: 'tilted',
        condition: { type: 'event', events: ['tilted'] },
        clear: { type: 'threshold', metric: 'tiltAngle', op: '<', value: 10 },
        minInterval: '10m',
      }),
    );
    h.event('bin-1', 'tilted');
    h.read('bin-1', { tiltAngle: 45 });
    expect(h.open('bin-1', 'tilted')).toBeDefined();
    h.at(minute);
    h.read('bin-1', { tiltAngle: 5 });
    expect(h.open('bin-1', 'tilted')).toBeUndefined();
    h.at(5 * minute);
    h.event('bin-1', 'tilted');
    expect(h.open('bin-1', 'tilted')).toBeUndefined();
    h.at(11 * minute);
    h.event('bin-1', 'tilted');
    expect(h.open('bin-1', 'tilted')).toBeDefined();
  });

  it('announces on the rule’s channels', async () => {
    const h = await engineHarness();
    h.rules(binRule({ channels: ['ops-webhook'] }));
    h.read('bin-1', { fillingLevel: 90 });
    expect(await h.announcements()).toEqual([
      { transition: 'fired', subject: 'bin-1', severity: 'warning', channels: ['ops-webhook'] },
    ]);
  });

  it('a rule disabled or deleted leaves no alert open and forgets its state', async () => {
    const h = await engineHarness([{ id: 'bin-1' }, { id: 'bin-2' }]);
    const [full] = h.rules(binRule(), binRule({ id: 'pending', for: '1h' }));
    h.read('bin-1', { fillingLevel: 90 });
    h.read('bin-2', { fillingLevel: 90 });
    expect(h.states.pending('pending')).toEqual(['bin-1', 'bin-2']);
    h.engine.setRules([{ ...(full as NonNullable<typeof full>), enabled: false }]);
    expect(h.alertStore.allOpen()).toEqual([]);
    expect((await h.history()).map((a) => a.resolution)).toEqual(['rule disabled', 'rule disabled']);
    // Not evaluated any more.
    h.read('bin-1', { fillingLevel: 91 });
    expect(h.alertStore.allOpen()).toEqual([]);
    h.engine.clearAll('pending', 'rule deleted');
    expect(h.states.pending('pending')).toEqual([]);
  });

  it('records in the rule-state store when the condition began to hold and when the alert cleared', async () => {
    const h = await engineHarness();
    h.rules(binRule({ for: '10m' }));
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.states.get('bin-full', 'bin-1')).toEqual({ since: h.now, clearedAt: undefined });
    h.at(10 * minute);
    h.tick();
    expect(h.open('bin-1')).toBeDefined();
    h.at(11 * minute);
    h.read('bin-1', { fillingLevel: 10 });
    expect(h.states.get('bin-full', 'bin-1')).toEqual({ since: undefined, clearedAt: h.now });
  });
});
