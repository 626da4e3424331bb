import { describe, expect, it } from 'vitest';
import { localClock } from '../../../simulators/local-time.ts';
import { device, HOUR, MINUTE, model, run, type Timed } from './support.ts';

const START = new Date('2026-11-15T23:00:00Z'); // Monday 00:00 in Gent
const WEEK = 7 * 24 * HOUR;
const cameras = Array.from({ length: 30 }, (_, n) => device('camera', `cam-${n}`, 'centrum', n * 150));
const weeks = cameras.map((camera) => run(model(camera), START, WEEK));
const steps = weeks.flat();

const local = (step: Timed<'camera'>) => localClock(step.at, 'Europe/Brussels');
const total = (selected: Timed<'camera'>[], metric: 'peopleCount' | 'vehicleCount') =>
  selected.reduce((sum, step) => sum + step.metrics[metric], 0);
const atHour = (hour: number, weekend = false) =>
  steps.filter((step) => {
    const clock = local(step);
    return clock.hour === hour && (clock.weekday === 0 || clock.weekday === 6) === weekend;
  });

describe('camera model', () => {
  it('counts many more people at noon than at 03:00', () => {
    expect(total(atHour(12), 'peopleCount')).toBeGreaterThan(5 * total(atHour(3), 'peopleCount'));
    expect(total(atHour(12, true), 'peopleCount')).toBeGreaterThan(5 * total(atHour(3, true), 'peopleCount'));
  });

  it('has weekday pedestrian peaks in the morning and evening rush', () => {
    expect(total(atHour(8), 'peopleCount')).toBeGreaterThan(1.5 * total(atHour(10), 'peopleCount'));
    expect(total(atHour(17.5), 'peopleCount')).toBeGreaterThan(1.5 * total(atHour(21), 'peopleCount'));
  });

  it('sees rush-hour traffic that drives more slowly', () => {
    const rush = atHour(8).filter((step) => step.metrics.vehicleCount > 0);
    const night = atHour(3).filter((step) => step.metrics.vehicleCount > 0);
    expect(total(rush, 'vehicleCount')).toBeGreaterThan(4 * total(night, 'vehicleCount'));
    const speed = (selected: Timed<'camera'>[]) =>
      selected.reduce((sum, step) => sum + step.metrics.averageVehicleSpeed, 0) / selected.length;
    expect(speed(rush)).toBeLessThan(0.85 * speed(night));
  });

  it('derives density and occupancy from the people present in its zone', () => {
    for (const { metrics } of steps) {
      expect(metrics.crowdDensity).toBeLessThan(1);
      if (metrics.crowdDensity === 0) expect(metrics.occupancy).toBe(0);
    }
    const dense = (hour: number) => atHour(hour).reduce((sum, step) => sum + step.metrics.crowdDensity, 0);
    expect(dense(12.5)).toBeGreaterThan(3 * dense(3));
  });

  it('keeps its 5G link in a plausible range, with less bitrate at poor SINR', () => {
    const online = steps.filter((step) => step.metrics.streamStatus !== 'offline');
    for (const { metrics } of online) {
      expect(metrics.rsrp).toBeGreaterThan(-130);
      expect(metrics.rsrp).toBeLessThan(-50);
      expect(metrics.latency).toBeGreaterThan(5);
      expect(metrics.latency).toBeLessThan(120);
      expect(metrics.uplinkBitrate).toBeGreaterThan(1_500);
      expect(metrics.uplinkBitrate).toBeLessThanOrEqual(10_000);
    }
    const bitrate = (selected: Timed<'camera'>[]) =>
      selected.reduce((sum, step) => sum + step.metrics.uplinkBitrate, 0) / selected.length;
    const good = online.filter((step) => step.metrics.sinr > 18);
    const poor = online.filter((step) => step.metrics.sinr < 8);
    expect(bitrate(poor)).toBeLessThan(bitrate(good) - 1_000);
  });

  it('drops streams for minutes, counting nothing while offline', () => {
    let drops = 0;
    for (const week of weeks) {
      let offline = false;
      for (const step of week) {
        for (const event of step.events) {
          if (event.type === 'streamDown') drops++;
          if (event.type === 'streamDown' || event.type === 'streamUp') {
            expect(offline).toBe(event.type === 'streamUp');
            offline = event.type === 'streamDown';
          }
        }
        if (step.metrics.streamStatus === 'offline') {
          expect(step.metrics).toMatchObject({
            peopleCount: 0,
            vehicleCount: 0,
            crowdDensity: 0,
            uplinkBitrate: 0,
          });
        }
      }
    }
    // About one drop per camera every 100 hours.
    expect(drops).toBeGreaterThan(25);
    expect(drops).toBeLessThan(90);
  });

  it('counts about as many people with 1-minute steps as with 15-minute steps', () => {
    const day = (stepMs: number) =>
      cameras
        .slice(0, 10)
        .reduce(
          (sum, camera) => sum + total(run(model(camera, 8), START, 24 * HOUR, stepMs), 'peopleCount'),
          0,
        );
    const fine = day(MINUTE);
    const coarse = day(15 * MINUTE);
    expect(Math.abs(fine - coarse) / coarse).toBeLessThan(0.1);
  });
});
