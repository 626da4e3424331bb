import { describe, expect, it } from 'vitest';
import { localClock } from '../../../simulators/local-time.ts';
import { device, HOUR, MINUTE, model, run, type Timed } from './support.ts';

const START = new Date('2026-11-15T23:00:00Z'); // Monday 00:00 in Gent, November
const lamps = Array.from({ length: 20 }, (_, n) => device('streetlight', `lamp-${n}`, 'centrum', n * 200));
const weeks = lamps.map((lamp) => run(model(lamp), START, 7 * 24 * HOUR));

function atLocal(steps: Timed<'streetlight'>[], hour: number): Timed<'streetlight'>[] {
  return steps.filter((step) => localClock(step.at, 'Europe/Brussels').hour === hour);
}

describe('streetlight model', () => {
  it('burns at local midnight and is off at local noon in Gent in November', () => {
    for (const steps of weeks) {
      for (const step of atLocal(steps, 0)) expect(step.metrics.powerState).not.toBe('off');
      for (const step of atLocal(steps, 12)) {
        expect(step.metrics.powerState).toBe('off');
        expect(step.metrics.activePower).toBeLessThan(1);
        expect(step.metrics.ambientLight).toBeGreaterThan(1_000);
      }
    }
  });

  it('is dimmed from 23:00 to 05:00 and at full output in the evening', () => {
    for (const steps of weeks) {
      const night = [23.5, 2, 4.75]
        .flatMap((hour) => atLocal(steps, hour))
        .filter((step) => step.metrics.status === 'ok');
      const evening = [20, 5.25]
        .flatMap((hour) => atLocal(steps, hour))
        .filter((step) => step.metrics.status === 'ok');
      expect(night.length + evening.length).toBeGreaterThan(10);
      for (const step of night) {
        expect(step.metrics).toMatchObject({ powerState: 'low', dimmingLevel: 50, ambientLight: 0 });
      }
      for (const step of evening) expect(step.metrics).toMatchObject({ powerState: 'on', dimmingLevel: 100 });
      const dimmed = night[0]?.metrics.activePower ?? 0;
      const full = evening[0]?.metrics.activePower ?? 0;
      expect(dimmed / full).toBeGreaterThan(0.45);
      expect(dimmed / full).toBeLessThan(0.55);
    }
  });

  it('switches on once and off once a day', () => {
    for (const steps of weeks) {
      const types = steps.flatMap((step) => step.events.map((event) => event.type));
      expect(types.filter((type) => type === 'switchedOn')).toHaveLength(7);
      expect(types.filter((type) => type === 'switchedOff')).toHaveLength(7);
    }
  });

  it('meters energy that only grows and matches power times time', () => {
    for (const steps of weeks) {
      let integrated = 0;
      for (let i = 1; i < steps.length; i++) {
        const [previous, current] = [steps[i - 1], steps[i]];
        if (!previous || !current) continue;
        expect(current.metrics.energyConsumed).toBeGreaterThanOrEqual(previous.metrics.energyConsumed);
        expect(current.metrics.operatingHours).toBeGreaterThanOrEqual(previous.metrics.operatingHours);
        integrated +=
          (current.metrics.activePower * (current.at.getTime() - previous.at.getTime())) / HOUR / 1_000;
      }
      const metered = (steps.at(-1)?.metrics.energyConsumed ?? 0) - (steps[0]?.metrics.energyConsumed ?? 0);
      expect(metered).toBeGreaterThan(0);
      expect(Math.abs(metered - integrated) / metered).toBeLessThan(0.03);
    }
  });

  it('keeps current consistent with power, voltage and power factor', () => {
    for (const { metrics } of weeks[0] ?? []) {
      const expected = metrics.activePower / (metrics.voltage * metrics.powerFactor);
      expect(Math.abs(metrics.current - expected)).toBeLessThan(0.01 + expected * 0.02);
      expect(metrics.voltage).toBeGreaterThan(215);
      expect(metrics.voltage).toBeLessThan(245);
    }
  });

  it('fails now and then, draws nothing while defective, and is repaired within a day', () => {
    const fleet = Array.from({ length: 100 }, (_, n) => device('streetlight', `lamp-f${n}`));
    let faults = 0;
    for (const lamp of fleet) {
      const steps = run(model(lamp, 5), START, 14 * 24 * HOUR, 30 * MINUTE);
      for (const [i, step] of steps.entries()) {
        if (!step.events.some((event) => event.type === 'lampFault')) continue;
        faults++;
        expect(step.metrics).toMatchObject({ status: 'defectiveLamp' });
        expect(step.metrics.activePower).toBeLessThan(1);
        const repaired = steps
          .slice(i)
          .findIndex((later) => later.events.some((e) => e.type === 'lampRepaired'));
        if (i + 48 < steps.length) {
          expect(repaired).toBeGreaterThan(0);
          expect(repaired).toBeLessThanOrEqual(49);
        }
      }
    }
    // About 1/2000 per burning hour: 100 lamps x 14 nights x ~15 hours gives ~10.
    expect(faults).toBeGreaterThan(2);
    expect(faults).toBeLessThan(25);
  });
});
