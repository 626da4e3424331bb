import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RuleInput } from '../../../../cloud/rules/schema.ts';
import { binRule, engineHarness, minute } from './engine-harness.ts';

/**
 * The threshold index (threshold-index.ts) must change only how fast the engine finds the rules a
 * reading passes, never what it does: the same rules narrowed to the one gateway every device is on
 * (which makes them unindexable, evaluated one by one) must fire, clear and keep state alike.
 */
const ops = ['>', '>=', '<', '<='] as const;
const level = fc.integer({ min: 0, max: 10 }).map((n) => n * 10);
const ruleArb = fc.record({
  op: fc.constantFrom(...ops),
  value: level,
  for: fc.constantFrom(undefined, '2m'),
  minInterval: fc.constantFrom(undefined, '3m'),
  clearBelow: fc.constantFrom(undefined, 30, 60),
  perOccurrence: fc.boolean(),
  scheduled: fc.boolean(),
});
const stepArb = fc.oneof(
  fc.record({ read: fc.constantFrom('bin-1', 'bin-2'), value: level, temperature: fc.boolean() }),
  fc.record({ advanceMin: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ schedule: fc.boolean() }),
  fc.constant({ tick: true }),
);

type RuleSpec = typeof ruleArb extends fc.Arbitrary<infer T> ? T : never;

function rulesOf(specs: RuleSpec[], narrowed: boolean): RuleInput[] {
  return specs.map((spec, i) =>
    binRule({
      id: `rule-${i}`,
      target: { kind: 'wasteBin', ...(narrowed ? { gateways: ['gw-1'] } : {}) },
      condition: { type: 'threshold', metric: 'fillingLevel', op: spec.op, value: spec.value },
      ...(spec.for ? { for: spec.for } : {}),
      ...(spec.minInterval ? { minInterval: spec.minInterval } : {}),
      ...(spec.clearBelow !== undefined
        ? { clear: { type: 'threshold', metric: 'fillingLevel', op: '<', value: spec.clearBelow } }
        : {}),
      perOccurrence: spec.perOccurrence,
      ...(spec.scheduled ? { schedule: { type: 'cron', start: '0 22 * * *', end: '0 6 * * *' } } : {}),
    }),
  );
}

describe('rules engine: the threshold index', () => {
  it('fires, clears and keeps state exactly as evaluating every rule one by one does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ruleArb, { minLength: 1, maxLength: 6 }),
        fc.array(stepArb, { minLength: 1, maxLength: 40 }),
        async (specs, steps) => {
          const devices = [{ id: 'bin-1' }, { id: 'bin-2' }];
          const [indexed, oneByOne] = [await engineHarness(devices), await engineHarness(devices)];
          indexed.rules(...rulesOf(specs, false));
          oneByOne.rules(...rulesOf(specs, true));
          for (const step of steps) {
            for (const h of [indexed, oneByOne]) {
              if ('read' in step)
                h.read(step.read, {
                  fillingLevel: step.value,
                  ...(step.temperature ? { temperature: 20 } : {}),
                });
              else if ('advanceMin' in step) h.advance(step.advanceMin * minute);
              else if ('schedule' in step) {
                // The engine asks a schedule at most once a minute: it opens or closes with the minute.
                h.schedule(step.schedule);
                h.advance(minute);
              } else h.tick();
            }
          }
          const seen = async (h: typeof indexed) => ({
            alerts: (await Promise.all(specs.map((_, i) => h.history(`rule-${i}`)))).map((alerts) =>
              // Alerts fired at the same instant are listed by their random ids: ordered by subject here.
              alerts.map((a) => [a.firedAt, a.subject.id, a.state, a.resolvedAt]).sort(),
            ),
            states: specs.flatMap((_, i) => devices.map((d) => h.states.get(`rule-${i}`, d.id))),
            // Each rule's own order is in `alerts`; between rules the order of steps may differ.
            transitions: (await h.transitions()).sort(),
            evaluated: h.counters.get('rules_evaluated'),
          });
          expect(await seen(indexed)).toEqual(await seen(oneByOne));
        },
      ),
      { numRuns: 150 },
    );
  });
});
