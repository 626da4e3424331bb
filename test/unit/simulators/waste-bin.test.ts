import { describe, expect, it } from 'vitest';
import { kinds } from '../../../shared/kinds/index.ts';
import { localClock } from '../../../simulators/local-time.ts';
import { device, HOUR, MINUTE, model, run, type Timed } from './support.ts';

const START = new Date('2026-11-15T23:00:00Z'); // Monday 00:00 in Gent
const WEEK = 7 * 24 * HOUR;
const districts = ['centrum', 'noord', 'zuid', 'oost', 'west', 'haven', 'campus', 'rand'];
const bins = districts.map((district, n) => device('wasteBin', `bin-${n}`, district, n * 600));
const weeks = bins.map((bin) => run(model(bin), START, WEEK));

const local = (step: Timed<'wasteBin'>) => localClock(step.at, 'Europe/Brussels');
const has = (step: Timed<'wasteBin'>, type: string) => step.events.some((event) => event.type === type);

describe('waste bin model', () => {
  it('is emptied on two collection days a week, early in the morning', () => {
    for (const steps of weeks) {
      const emptied = steps.filter((step) => has(step, 'emptied'));
      expect(emptied).toHaveLength(2);
      expect(new Set(emptied.map((step) => local(step).weekday)).size).toBe(2);
      for (const step of emptied) {
        const { hour } = local(step);
        expect(hour).toBeGreaterThanOrEqual(6);
        expect(hour).toBeLessThan(8);
        expect(step.metrics.fillingLevel).toBeLessThan(3);
        expect(step.metrics.dateLastEmptying).toBe(step.at.toISOString());
      }
    }
  });

  it('drops after a collection from the level it had reached', () => {
    for (const steps of weeks) {
      for (const [i, step] of steps.entries()) {
        if (!has(step, 'emptied')) continue;
        expect(steps[i - 1]?.metrics.fillingLevel ?? 0).toBeGreaterThan(step.metrics.fillingLevel + 5);
      }
    }
  });

  it('fills during the day and hardly at night', () => {
    let dayGain = 0;
    let nightGain = 0;
    for (const steps of weeks) {
      const level = new Map(steps.map((step) => [step.at.getTime(), step.metrics.fillingLevel]));
      for (let day = 0; day < 7; day++) {
        const midnight = START.getTime() + day * 24 * HOUR;
        const at = (hour: number) => level.get(midnight + hour * HOUR) ?? Number.NaN;
        expect(at(18)).toBeGreaterThanOrEqual(at(9));
        dayGain += at(18) - at(9);
        nightGain += at(5) - at(1);
      }
    }
    expect(dayGain).toBeGreaterThan(10 * nightGain);
    expect(dayGain / (weeks.length * 7)).toBeGreaterThan(5);
  });

  it('fills faster near the city centre', () => {
    const gainPerDay = (northM: number) => {
      let gain = 0;
      for (let n = 0; n < 10; n++) {
        const steps = run(model(device('wasteBin', `bin-c${n}`, 'centrum', northM)), START, 24 * HOUR, HOUR);
        const last = steps.at(-1)?.metrics.fillingLevel ?? 0;
        gain += steps.some((step) => has(step, 'emptied'))
          ? last
          : last - (steps[0]?.metrics.fillingLevel ?? 0);
      }
      return gain / 10;
    };
    expect(gainPerDay(0)).toBeGreaterThan(1.5 * gainPerDay(6_000));
  });

  it('stays within bounds and follows a daily temperature curve', () => {
    for (const steps of weeks) {
      for (const { metrics } of steps) {
        expect(metrics.fillingLevel).toBeLessThanOrEqual(100);
        if (metrics.status !== 'burning') {
          expect(metrics.temperature).toBeGreaterThan(-5);
          expect(metrics.temperature).toBeLessThan(30);
        }
      }
      const mean = (hour: number) => {
        const at = steps.filter((step) => local(step).hour === hour);
        return at.reduce((sum, step) => sum + step.metrics.temperature, 0) / at.length;
      };
      expect(mean(15)).toBeGreaterThan(mean(4) + 8);
    }
  });

  it('raises every kind of event in time, with a matching status', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 100; n++) {
      const steps = run(
        model(device('wasteBin', `bin-r${n}`, 'centrum', n * 50), 2),
        START,
        4 * WEEK,
        30 * MINUTE,
      );
      for (const step of steps) {
        for (const event of step.events) seen.add(event.type);
        if (has(step, 'fireRisk')) {
          expect(step.metrics.status).toBe('burning');
          expect(step.metrics.temperature).toBeGreaterThan(60);
        }
        if (has(step, 'tilted')) expect(step.metrics.tiltAngle).toBeGreaterThan(60);
        if (step.metrics.status === 'dropped') expect(step.metrics.tiltAngle).toBeGreaterThan(60);
        if (step.metrics.status === 'lidOpen') expect(step.metrics.lidOpen).toBe(true);
        if (step.metrics.status === 'ok') expect(step.metrics.tiltAngle).toBeLessThan(10);
      }
    }
    expect([...seen].sort()).toEqual([...kinds.wasteBin.events.options].sort());
  });

  it('drains its battery by about 0.5% a week and warns once when it drops below 15%', () => {
    const models = Array.from({ length: 1_000 }, (_, n) => model(device('wasteBin', `bin-b${n}`), 4));
    const nearlyLow = models
      .map((binModel) => ({ binModel, first: binModel.step(START).metrics.batteryLevel }))
      .filter(({ first }) => first < 17);
    expect(nearlyLow.length).toBeGreaterThan(3);
    for (const { binModel, first } of nearlyLow) {
      const steps = run(binModel, new Date(START.getTime() + HOUR), 4 * WEEK, 6 * HOUR);
      const last = steps.at(-1)?.metrics.batteryLevel ?? 0;
      expect(first - last).toBeGreaterThan(1.8);
      expect(first - last).toBeLessThan(2.2);
      const warned = steps.filter((step) => has(step, 'batteryLow'));
      expect(warned).toHaveLength(1);
    }
  });
});
