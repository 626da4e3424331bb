import { describe, expect, it } from 'vitest';
import type { FleetDevice } from '../../../shared/fleet.ts';
import { kinds } from '../../../shared/kinds/index.ts';
import { localClock } from '../../../simulators/local-time.ts';
import type { DeviceModel } from '../../../simulators/models/index.ts';
import { device, HOUR, MINUTE, model, run, type Timed } from './support.ts';

const MONDAY = new Date('2026-11-15T23:00:00Z'); // Monday 00:00 in Gent
const DAY = 24 * HOUR;
type Step = Timed<'evCharger'>;

/** A connector's model, with its own stream forked from `seed`. */
const connector = (id: string, seed: number, northM = 0) =>
  model(device('evCharger', id, 'centrum', northM) as FleetDevice & { kind: 'evCharger' }, seed);

const connectors = Array.from({ length: 12 }, (_, n) => `evc-${n}`);
/** Four weeks of each connector at 5-minute steps. */
const month = connectors.map((id, n) => run(connector(id, 5, n * 300), MONDAY, 28 * DAY, 5 * MINUTE));
const all = month.flat();
const has = (step: Step, type: string) => step.events.some((e) => e.type === type);
const local = (step: Step) => localClock(step.at, 'Europe/Brussels');

/** The readings of each session, from plug-in to the reading after unplugging. */
function sessions(steps: Step[]): Step[][] {
  const found: Step[][] = [];
  let current: Step[] | undefined;
  for (const step of steps) {
    if (has(step, 'sessionStarted')) current = [];
    if (current && step.metrics.sessionDuration > 0) current.push(step);
    if (has(step, 'sessionEnded') && current) {
      found.push(current);
      current = undefined;
    }
  }
  return found.filter((s) => s.length > 0);
}

describe('EV charger model', () => {
  it('sees arrivals by hour and weekday: commuters and residents on weekdays, few at night', () => {
    const starts = all.filter((step) => has(step, 'sessionStarted')).map(local);
    const weekday = starts.filter((s) => s.weekday >= 1 && s.weekday <= 5);
    const count = (list: typeof starts, from: number, to: number) =>
      list.filter((s) => s.hour >= from && s.hour < to).length;
    expect(starts.length).toBeGreaterThan(12 * 28 * 0.5);
    // Per hour of the window: the morning and evening peaks against the small hours.
    expect(count(weekday, 7, 10) / 3).toBeGreaterThan((4 * count(weekday, 0, 5)) / 5);
    expect(count(weekday, 17, 20) / 3).toBeGreaterThan((4 * count(weekday, 0, 5)) / 5);
    const weekend = starts.filter((s) => s.weekday === 0 || s.weekday === 6);
    expect(count(weekend, 11, 15) / 4).toBeGreaterThan(count(weekend, 6, 9) / 3);
  });

  it('charges on a curve that tapers before the battery is full', () => {
    const charging = month
      .flatMap(sessions)
      .map((s) => s.filter((step) => step.metrics.connectorStatus === 'Charging'));
    const long = charging.filter((s) => s.length >= 6);
    const tapered = long.filter((s) => {
      const peak = Math.max(...s.map((step) => step.metrics.activePower));
      return (s.at(-1)?.metrics.activePower ?? peak) < 0.8 * peak;
    });
    expect(long.length).toBeGreaterThan(20);
    expect(tapered.length / long.length).toBeGreaterThan(0.3);
    for (const s of long) {
      const peak = Math.max(...s.map((step) => step.metrics.activePower));
      for (const step of s) expect(step.metrics.activePower).toBeLessThanOrEqual(step.metrics.powerLimit);
      expect(peak).toBeGreaterThan(0);
    }
  });

  it('keeps cars plugged in long after charging: overnight and through a working day', () => {
    const full = all.filter((step) => step.metrics.connectorStatus === 'SuspendedEV');
    const occupied = all.filter((step) => step.metrics.sessionDuration > 0);
    expect(full.length / occupied.length).toBeGreaterThan(0.3);
    expect(full.some((step) => step.metrics.sessionDuration > 8 * 3_600)).toBe(true);
    for (const step of full) expect(step.metrics.activePower).toBe(0);
  });

  it('reports each session when it ends, with energy and duration and nothing about the driver', () => {
    for (const steps of month) {
      for (const s of sessions(steps)) {
        const last = s.at(-1) as Step;
        const ended = last.events.find((e) => e.type === 'sessionEnded');
        const lastPlugged = s.filter((step) => step.metrics.sessionDuration > 0).at(-1) as Step;
        if (!ended) continue;
        expect(ended.values?.sessionEnergy).toBeGreaterThanOrEqual(lastPlugged.metrics.sessionEnergy - 1e-6);
        expect(ended.values?.sessionDuration).toBeGreaterThanOrEqual(lastPlugged.metrics.sessionDuration);
      }
    }
    const eventFields = new Set(all.flatMap((step) => step.events.flatMap((e) => Object.keys(e))));
    expect([...eventFields].sort()).toEqual(['detail', 'type', 'values'].filter((f) => eventFields.has(f)));
    const valueNames = new Set(
      all.flatMap((step) => step.events.flatMap((e) => Object.keys(e.values ?? {}))),
    );
    for (const name of valueNames) expect(Object.keys(kinds.evCharger.eventValues.shape)).toContain(name);
  });

  it('meters the energy of every session on its cumulative meter', () => {
    for (const steps of month) {
      for (let i = 1; i < steps.length; i++) {
        expect(steps[i]?.metrics.cumulativeEnergy).toBeGreaterThanOrEqual(
          steps[i - 1]?.metrics.cumulativeEnergy ?? 0,
        );
      }
      const delivered = steps
        .flatMap((step) => step.events)
        .reduce((sum, e) => sum + (e.values?.sessionEnergy ?? 0), 0);
      const metered =
        (steps.at(-1)?.metrics.cumulativeEnergy ?? 0) - (steps[0]?.metrics.cumulativeEnergy ?? 0);
      expect(metered).toBeGreaterThanOrEqual(delivered - 0.01 * steps.length);
    }
  });

  it('faults rarely, with an OCPP error code, and recovers', () => {
    const faults = all.flatMap((step) => step.events.filter((e) => e.type === 'fault'));
    expect(faults.length).toBeGreaterThan(0);
    expect(faults.length).toBeLessThan(connectors.length * 4); // under one a week per connector
    for (const fault of faults)
      expect(kinds.evCharger.eventValues.shape.errorCode.options).toContain(fault.values?.errorCode);
    const faulted = all.filter((step) => step.metrics.connectorStatus === 'Faulted');
    expect(faulted.length / all.length).toBeLessThan(0.2);
    for (const step of faulted) {
      expect(step.metrics.errorCode).not.toBe('NoError');
      expect(step.metrics.activePower).toBe(0);
    }
    expect(all.filter((step) => has(step, 'faultCleared')).length).toBeGreaterThan(0);
  });
});

/** Steps a connector from Monday 00:00 until `test` holds, at 5-minute steps; throws after `days`. */
function until(deviceModel: DeviceModel<'evCharger'>, test: (step: Step) => boolean, days = 60): Step {
  for (let t = MONDAY.getTime(); t < MONDAY.getTime() + days * DAY; t += 5 * MINUTE) {
    const at = new Date(t);
    const step = { at, ...deviceModel.step(at) };
    if (test(step)) return step;
  }
  throw new Error(`not within ${days} days`);
}

const later = (step: Step, minutes: number) => new Date(step.at.getTime() + minutes * MINUTE);

describe('EV charger commands', () => {
  it('obeys a power limit, and pauses the session (SuspendedEVSE) at 0 kW', () => {
    const charger = connector('evc-limit', 2);
    const charging = until(
      charger,
      (s) => s.metrics.connectorStatus === 'Charging' && s.metrics.activePower > 4,
    );
    expect(charger.command({ action: 'setPowerLimit', kW: 3.7 }, charging.at)).toEqual({
      status: 'succeeded',
    });
    for (const step of run(charger, later(charging, 5), 2 * DAY, 5 * MINUTE)) {
      expect(step.metrics.powerLimit).toBe(3.7);
      expect(step.metrics.activePower).toBeLessThanOrEqual(3.7);
    }
    const paused = connector('evc-limit', 2);
    const again = until(paused, (s) => s.metrics.connectorStatus === 'Charging' && s.metrics.activePower > 4);
    paused.command({ action: 'setPowerLimit', kW: 0 }, again.at);
    const next = paused.step(later(again, 5));
    expect(next.metrics).toMatchObject({ connectorStatus: 'SuspendedEVSE', activePower: 0, powerLimit: 0 });
  });

  it('made unavailable, takes no more cars; made available, takes them again', () => {
    const charger = connector('evc-avail', 3);
    const idle = until(charger, (s) => s.metrics.connectorStatus === 'Available');
    charger.command({ action: 'setAvailability', availability: 'unavailable' }, idle.at);
    const week = run(charger, later(idle, 5), 7 * DAY, 15 * MINUTE);
    for (const step of week) expect(step.metrics.connectorStatus).toMatch(/^(Unavailable|Faulted)$/);
    const last = week.at(-1) as Step;
    charger.command({ action: 'setAvailability', availability: 'available' }, last.at);
    const next = run(charger, later(last, 15), 7 * DAY, 15 * MINUTE);
    expect(next.some((step) => has(step, 'sessionStarted'))).toBe(true);
  });

  it('unlocks a stuck connector on command; a reset cannot', () => {
    let stuck: { charger: DeviceModel<'evCharger'>; step: Step } | undefined;
    for (let n = 0; n < 40 && !stuck; n++) {
      const charger = connector(`evc-stuck-${n}`, 1);
      try {
        const step = until(charger, (s) => s.metrics.errorCode === 'ConnectorLockFailure', 45);
        stuck = { charger, step };
      } catch {}
    }
    if (!stuck) throw new Error('no connector got stuck');
    const { charger, step } = stuck;
    expect(step.metrics.connectorStatus).toBe('Faulted');
    expect(charger.command({ action: 'reset', type: 'soft' }, later(step, 1))).toMatchObject({
      status: 'failed',
    });
    expect(charger.command({ action: 'unlockConnector' }, later(step, 2))).toEqual({ status: 'succeeded' });
    const next = charger.step(later(step, 3));
    expect(next.events.map((e) => e.type)).toContain('faultCleared');
    expect(next.metrics.errorCode).toBe('NoError');
  });

  it('resets: ends the session and reports the reboot', () => {
    const charger = connector('evc-reset', 4);
    const charging = until(charger, (s) => s.metrics.connectorStatus === 'Charging');
    expect(charger.command({ action: 'reset', type: 'hard' }, charging.at)).toEqual({ status: 'succeeded' });
    const next = charger.step(later(charging, 5));
    expect(next.events.map((e) => e.type)).toEqual(expect.arrayContaining(['sessionEnded', 'rebooted']));
    expect(next.metrics.sessionDuration).toBe(0);
  });
});
