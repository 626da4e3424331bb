import { describe, expect, it } from 'vitest';
import { binRule, engineHarness, minute, second } from './engine-harness.ts';

describe('rules engine: a device rule on readings', () => {
  it.each([
    ['>', 80, [79.9, 80], [80.1]],
    ['>=', 80, [79.9], [80, 80.1]],
    ['<', 20, [20, 20.1], [19.9]],
    ['<=', 20, [20.1], [20, 19.9]],
    ['==', 50, [49.9, 50.1], [50]],
    ['!=', 50, [50], [49.9, 50.1]],
  ] as const)('%s %d fires on one side of the boundary only', async (op, value, quiet, firing) => {
    for (const level of quiet) {
      const h = await engineHarness();
      h.rules(binRule({ condition: { type: 'threshold', metric: 'fillingLevel', op, value } }));
      h.read('bin-1', { fillingLevel: level });
      expect(h.open('bin-1'), `${level} ${op} ${value}`).toBeUndefined();
    }
    for (const level of firing) {
      const h = await engineHarness();
      h.rules(binRule({ condition: { type: 'threshold', metric: 'fillingLevel', op, value } }));
      h.read('bin-1', { fillingLevel: level });
      expect(h.open('bin-1'), `${level} ${op} ${value}`).toMatchObject({
        state: 'firing',
        ruleId: 'bin-full',
        severity: 'warning',
        summary: 'Bin full: bin-1 in centrum',
        subject: { kind: 'device', id: 'bin-1', district: 'centrum', deviceKind: 'wasteBin' },
      });
    }
  });

  it('keeps one alert open while the condition holds, and clears it when the condition stops holding', async () => {
    const h = await engineHarness();
    h.rules(binRule());
    h.read('bin-1', { fillingLevel: 90 });
    h.advance(second);
    h.read('bin-1', { fillingLevel: 95 });
    expect(await h.history()).toHaveLength(1);
    h.advance(second);
    h.read('bin-1', { fillingLevel: 80 });
    expect(h.open('bin-1')).toBeUndefined();
    expect((await h.history())[0]).toMatchObject({
      state: 'resolved',
      resolvedBy: 'rules',
      resolution: 'clear condition met',
    });
    expect(await h.transitions()).toEqual(['fired bin-1', 'resolved bin-1']);
    h.advance(second);
    h.read('bin-1', { fillingLevel: 85 });
    expect((await h.history()).map((a) => a.state)).toEqual(['resolved', 'firing']);
  });

  it('clears with hysteresis: only once the clear condition holds, not when the condition stops holding', async () => {
    const h = await engineHarness();
    h.rules(binRule({ clear: { type: 'threshold', metric: 'fillingLevel', op: '<', value: 60 } }));
    h.read('bin-1', { fillingLevel: 81 });
    for (const level of [80, 70, 60]) {
      h.advance(second);
      h.read('bin-1', { fillingLevel: level });
      expect(h.open('bin-1'), `${level}`).toBeDefined();
    }
    h.advance(second);
    h.read('bin-1', { fillingLevel: 59.9 });
    expect(h.open('bin-1')).toBeUndefined();
    expect(await h.transitions()).toEqual(['fired bin-1', 'resolved bin-1']);
  });

  it('evaluates only the rules on the metrics a reading carries, and counts the evaluations', async () => {
    const h = await engineHarness();
    h.rules(
      binRule(),
      binRule({ id: 'bin-hot', condition: { type: 'threshold', metric: 'temperature', op: '>', value: 70 } }),
    );
    h.read('bin-1', { fillingLevel: 90 });
    expect(h.counters.get('rules_evaluated')).toBe(1);
    h.read('bin-1', { temperature: 75, fillingLevel: 90 });
    expect(h.counters.get('rules_evaluated')).toBe(3);
    expect(h.open('bin-1', 'bin-hot')).toBeDefined();
    // A metric no rule reads costs nothing.
    h.read('bin-1', { batteryLevel: 3 });
    expect(h.counters.get('rules_evaluated')).toBe(3);
  });

  it('evaluates a condition on the merged latest values, not only the metrics of the reading', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({
        condition: {
          type: 'all',
          of: [
            { type: 'threshold', metric: 'fillingLevel', op: '>', value: 80 },
            { type: 'threshold', metric: 'lidOpen', op: '==', value: true },
          ],
        },
      }),
    );
    h.read('bin-1', { fillingLevel: 90, lidOpen: false });
    expect(h.open('bin-1')).toBeUndefined();
    h.read('bin-1', { lidOpen: true });
    expect(h.open('bin-1')).toBeDefined();
  });

  it.each([
    ['all', [true, true], true],
    ['all', [true, false], false],
    ['any', [false, true], true],
    ['any', [false, false], false],
  ] as const)('%s of two conditions %j fires: %s', async (type, [full, hot], fires) => {
    const h = await engineHarness();
    h.rules(
      binRule({
        condition: {
          type,
          of: [
            { type: 'threshold', metric: 'fillingLevel', op: '>', value: 80 },
            { type: 'threshold', metric: 'temperature', op: '>', value: 70 },
          ],
        },
      }),
    );
    h.read('bin-1', { fillingLevel: full ? 90 : 10, temperature: hot ? 75 : 20 });
    expect(h.open('bin-1') !== undefined).toBe(fires);
  });

  it('not: fires when the inner condition does not hold', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({
        condition: { type: 'not', of: { type: 'in', metric: 'status', values: ['ok', 'lidOpen'] } },
      }),
    );
    h.read('bin-1', { status: 'ok' });
    expect(h.open('bin-1')).toBeUndefined();
    h.read('bin-1', { status: 'burning' });
    expect(h.open('bin-1')).toBeDefined();
  });

  it('looks back over a window of readings (aggregate), and forgets samples as they leave it', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({
        condition: { type: 'aggregate', metric: 'temperature', fn: 'min', window: '10m', op: '>', value: 20 },
      }),
    );
    h.read('bin-1', { temperature: 0 });
    h.advance(minute);
    h.read('bin-1', { temperature: 100 });
    h.at(10 * minute - 1);
    h.read('bin-1', { temperature: 50 });
    expect(h.open('bin-1')).toBeUndefined(); // the 0 °C sample is still inside the window
    h.at(10 * minute);
    h.read('bin-1', { temperature: 50 });
    expect(h.open('bin-1')).toBeDefined(); // now it is not: min 50
  });

  it('keeps samples in time order when a reading arrives late', async () => {
    const h = await engineHarness();
    h.rules(
      binRule({
        condition: { type: 'rateOfChange', metric: 'fillingLevel', window: '1h', op: '>=', value: 30 },
      }),
    );
    h.read('bin-1', { fillingLevel: 10 });
    h.advance(20 * minute);
    h.read('bin-1', { fillingLevel: 40 });
    expect(h.open('bin-1')).toBeDefined(); // 10 -> 40
    // A reading from between the two arrives last: the change is still from the first to the newest.
    const late = {
      deviceId: 'bin-1',
      kind: 'wasteBin',
      ts: new Date(h.now - 10 * minute).toISOString(),
      metrics: { fillingLevel: 35 },
    };
    h.engine.onReadings([late as never]);
    expect(h.open('bin-1')).toBeDefined();
    // One from before the first: now the change is 35 -> 40.
    h.engine.onReadings([{ ...late, ts: new Date(h.now - 30 * minute).toISOString() } as never]);
    expect(h.open('bin-1')).toBeUndefined();
  });

  it('applies only to its targets: kind, devices, districts and gateways', async () => {
    const h = await engineHarness([
      { id: 'bin-1' },
      { id: 'bin-2', district: 'noord' },
      { id: 'bin-3', gatewayId: 'gw-2' },
      { id: 'lamp-1', kind: 'streetlight' },
    ]);
    h.rules(
      binRule({ id: 'by-district', target: { kind: 'wasteBin', districts: ['noord'] } }),
      binRule({ id: 'by-gateway', target: { kind: 'wasteBin', gateways: ['gw-2'] } }),
      binRule({ id: 'by-device', target: { kind: 'wasteBin', devices: ['bin-1'] } }),
    );
    for (const id of ['bin-1', 'bin-2', 'bin-3']) h.read(id, { fillingLevel: 90 });
    const subjects = async (ruleId: string) => (await h.history(ruleId)).map((a) => a.subject.id);
    expect(await subjects('by-district')).toEqual(['bin-2']);
    expect(await subjects('by-gateway')).toEqual(['bin-3']);
    expect(await subjects('by-device')).toEqual(['bin-1']);
  });

  it('ignores readings of devices it does not know and kinds no rule is about', async () => {
    const h = await engineHarness([{ id: 'bin-1' }, { id: 'lamp-1', kind: 'streetlight' }]);
    h.rules(binRule());
    h.read('unknown', { fillingLevel: 90 });
    h.read('lamp-1', { activePower: 90 });
    expect(h.alertStore.allOpen()).toEqual([]);
    expect(h.counters.get('rules_evaluated')).toBe(0);
  });
});
