import { describe, expect, it } from 'vitest';
import type { DeviceKind } from '../../../shared/kinds/index.ts';
import type { Command, DeviceModel, Step } from '../../../simulators/models/index.ts';
import { device, HOUR, MINUTE, model, run, type Timed } from './support.ts';

const MONDAY = new Date('2026-11-15T23:00:00Z'); // Monday 00:00 in Gent, November
/** `hours` after Monday 00:00 local time: 12 is Monday noon, 20 Monday evening, 26 Tuesday 02:00. */
const at = (hours: number) => new Date(MONDAY.getTime() + hours * HOUR);
const types = <K extends DeviceKind>(steps: Step<K>[]) =>
  steps.flatMap((step) => step.events.map((event) => event.type));

/** Steps from Monday 00:00 up to `hours` and returns the last step. */
function upTo<K extends DeviceKind>(deviceModel: DeviceModel<K>, hours: number): Timed<K> {
  const last = run(deviceModel, MONDAY, hours * HOUR).at(-1);
  if (!last) throw new Error('no steps');
  return last;
}

/** Steps every 15 minutes from 15 minutes after `hours` for `durationH` hours. */
function from<K extends DeviceKind>(
  deviceModel: DeviceModel<K>,
  hours: number,
  durationH: number,
): Timed<K>[] {
  return run(deviceModel, at(hours + 0.25), durationH * HOUR);
}

describe('streetlight commands', () => {
  const lamp = device('streetlight', 'lamp-cmd', 'centrum', 300);
  const dim30: Command<'streetlight'> = { action: 'setDimming', level: 30 };

  it('dims a burning lamp on command: it draws power and meters energy in proportion', () => {
    const dimmed = model(lamp, 4);
    const twin = model(lamp, 4);
    expect(upTo(dimmed, 20).metrics).toMatchObject({ powerState: 'on', dimmingLevel: 100, status: 'ok' });
    upTo(twin, 20);
    expect(dimmed.command(dim30, at(20))).toEqual({ status: 'succeeded' });
    const [low, full] = [from(dimmed, 20, 2.5), from(twin, 20, 2.5)];
    for (const step of [...low, ...full]) expect(step.metrics.status).toBe('ok');
    expect(low[0]?.metrics).toMatchObject({ powerState: 'low', dimmingLevel: 30 });
    const ratio = (low[0]?.metrics.activePower ?? 0) / (full[0]?.metrics.activePower ?? 1);
    expect(ratio).toBeGreaterThan(0.27);
    expect(ratio).toBeLessThan(0.33);
    const metered = (steps: Timed<'streetlight'>[]) =>
      (steps.at(-1)?.metrics.energyConsumed ?? 0) - (steps[0]?.metrics.energyConsumed ?? 0);
    expect(metered(low) / metered(full)).toBeGreaterThan(0.25);
    expect(metered(low) / metered(full)).toBeLessThan(0.35);
  });

  it('keeps the dimming override through the night and the next day until returnToSchedule', () => {
    const lampModel = model(lamp, 4);
    upTo(lampModel, 12);
    lampModel.command(dim30, at(12));
    const noon = from(lampModel, 12, 0.5);
    for (const step of noon) expect(step.metrics).toMatchObject({ powerState: 'off', dimmingLevel: 0 });
    const night = from(lampModel, 12.75, 14);
    const atLocal = (hours: number) => night.find((step) => step.at.getTime() === at(hours).getTime());
    expect(atLocal(20)?.metrics).toMatchObject({ powerState: 'low', dimmingLevel: 30 });
    expect(atLocal(26)?.metrics).toMatchObject({ powerState: 'low', dimmingLevel: 30 });
    expect(lampModel.command({ action: 'returnToSchedule' }, at(27))).toEqual({ status: 'succeeded' });
    expect(lampModel.step(at(27.25)).metrics).toMatchObject({ powerState: 'low', dimmingLevel: 50 });
    expect(types(night)).toEqual(['switchedOn']);
  });

  it('switches off at night on command: no power, no energy, no burning hours', () => {
    const lampModel = model(lamp, 4);
    upTo(lampModel, 20);
    expect(lampModel.command({ action: 'switch', on: false }, at(20))).toEqual({ status: 'succeeded' });
    const off = from(lampModel, 20, 6); // through the night-dimming hours
    expect(off[0]?.events).toEqual([{ type: 'switchedOff', values: { switchedBy: 'operator' } }]);
    for (const step of off) {
      expect(step.metrics).toMatchObject({ powerState: 'off', dimmingLevel: 0 });
      expect(step.metrics.activePower).toBeLessThan(1);
    }
    const first = off[0]?.metrics;
    const last = off.at(-1)?.metrics;
    expect((last?.energyConsumed ?? 0) - (first?.energyConsumed ?? 0)).toBeLessThanOrEqual(0.003);
    expect(last?.operatingHours).toBe(first?.operatingHours);
    expect(types(off)).toEqual(['switchedOff']);
    lampModel.command({ action: 'returnToSchedule' }, at(26.25));
    const back = lampModel.step(at(26.5));
    expect(back.metrics).toMatchObject({ powerState: 'low', dimmingLevel: 50 });
    expect(back.events).toEqual([{ type: 'switchedOn', values: { switchedBy: 'schedule' } }]);
  });

  it('switches on at noon on command, at full output, and off again on returnToSchedule', () => {
    const lampModel = model(lamp, 4);
    expect(upTo(lampModel, 12).metrics.powerState).toBe('off');
    expect(lampModel.command({ action: 'switch', on: true }, at(12))).toEqual({ status: 'succeeded' });
    const day = from(lampModel, 12, 24); // until Tuesday noon, through dusk, night dimming and dawn
    expect(day[0]?.events).toEqual([{ type: 'switchedOn', values: { switchedBy: 'operator' } }]);
    for (const step of day) {
      expect(step.metrics).toMatchObject({ powerState: 'on', dimmingLevel: 100 });
      expect(step.metrics.activePower).toBeGreaterThan(30);
    }
    expect(types(day)).toEqual(['switchedOn']);
    expect(lampModel.command({ action: 'returnToSchedule' }, at(36.25))).toEqual({ status: 'succeeded' });
    const back = lampModel.step(at(36.5));
    expect(back.metrics).toMatchObject({ powerState: 'off', dimmingLevel: 0 });
    expect(back.metrics.activePower).toBeLessThan(1);
    expect(back.events).toEqual([{ type: 'switchedOff', values: { switchedBy: 'schedule' } }]);
  });

  it('fails to light a defective lamp but records the override for after the repair', () => {
    // Search deterministically for a lamp that fails in its first fortnight.
    let found: { lamp: ReturnType<typeof device>; faultH: number } | undefined;
    for (let n = 0; n < 200 && !found; n++) {
      const candidate = device('streetlight', `lamp-f${n}`);
      const fault = run(model(candidate, 5), MONDAY, 14 * 24 * HOUR, 30 * MINUTE).find((step) =>
        step.events.some((event) => event.type === 'lampFault'),
      );
      if (fault) found = { lamp: candidate, faultH: (fault.at.getTime() - MONDAY.getTime()) / HOUR };
    }
    if (!found) throw new Error('no lamp failed');
    const lampModel = model(found.lamp, 5);
    const faulty = run(lampModel, MONDAY, found.faultH * HOUR, 30 * MINUTE).at(-1);
    expect(faulty?.metrics.status).toBe('defectiveLamp');
    const now = at(found.faultH);
    const switchOn = lampModel.command({ action: 'switch', on: true }, now);
    expect(switchOn.status).toBe('failed');
    expect(switchOn.reason).toBe('deviceFault');
    expect(lampModel.command({ action: 'setDimming', level: 80 }, now).status).toBe('failed');
    const next = lampModel.step(new Date(now.getTime() + 15 * MINUTE));
    expect(next.metrics).toMatchObject({ status: 'defectiveLamp', powerState: 'low', dimmingLevel: 80 });
    expect(next.metrics.activePower).toBeLessThan(1);
    // Repaired within a day; the override (on, 80 %) still holds, even by day.
    const later = run(lampModel, new Date(now.getTime() + 30 * MINUTE), 36 * HOUR, 30 * MINUTE);
    expect(types(later)).toContain('lampRepaired');
    const last = later.at(-1);
    expect(last?.metrics).toMatchObject({ status: 'ok', powerState: 'low', dimmingLevel: 80 });
    expect(last?.metrics.activePower).toBeGreaterThan(20);
    expect(lampModel.command({ action: 'switch', on: false }, later.at(-1)?.at ?? now).status).toBe(
      'succeeded',
    );
  });
});

describe('camera commands', () => {
  const camera = device('camera', 'cam-cmd');

  it('reboots: offline and counting nothing for a minute or two, then back with streamUp', () => {
    const cam = model(camera, 2);
    expect(upTo(cam, 12).metrics.streamStatus).not.toBe('offline');
    expect(cam.command({ action: 'reboot' }, at(12))).toEqual({ status: 'succeeded' });
    const rebooting = cam.step(new Date(at(12).getTime() + 30_000));
    expect(rebooting.events.map((event) => event.type)).toEqual(['rebooted']);
    expect(rebooting.metrics).toMatchObject({
      streamStatus: 'offline',
      peopleCount: 0,
      vehicleCount: 0,
      uplinkBitrate: 0,
    });
    const back = cam.step(new Date(at(12).getTime() + 3 * MINUTE));
    expect(back.metrics.streamStatus).not.toBe('offline');
    expect(back.events.map((event) => event.type)).toEqual(['streamUp']);
    expect(cam.step(at(12.25)).metrics.peopleCount).toBeGreaterThan(0);
  });

  it('accepts a reporting interval without changing the simulated device', () => {
    const [cam, twin] = [model(camera, 2), model(camera, 2)];
    upTo(cam, 12);
    upTo(twin, 12);
    expect(cam.command({ action: 'setReportingInterval', seconds: 60 }, at(12))).toEqual({
      status: 'succeeded',
    });
    expect(from(cam, 12, 2)).toEqual(from(twin, 12, 2));
  });
});

describe('waste bin commands', () => {
  it('accepts a status request without changing the simulated device', () => {
    const bin = device('wasteBin', 'bin-cmd');
    const [binModel, twin] = [model(bin, 2), model(bin, 2)];
    upTo(binModel, 12);
    upTo(twin, 12);
    expect(binModel.command({ action: 'requestStatus' }, at(12))).toEqual({ status: 'succeeded' });
    expect(from(binModel, 12, 2)).toEqual(from(twin, 12, 2));
  });
});

describe('commands and the simulation', () => {
  const lamp = device('streetlight', 'lamp-cmd', 'centrum', 300);

  it('are obeyed by a stuck device whose readings stay frozen', () => {
    const lampModel = model(lamp, 4);
    const before = upTo(lampModel, 20);
    lampModel.stick();
    expect(lampModel.command({ action: 'switch', on: false }, at(20))).toEqual({ status: 'succeeded' });
    for (const step of from(lampModel, 20, 2)) {
      expect(step.metrics).toEqual(before.metrics);
      expect(step.events).toEqual([]);
    }
    lampModel.unstick();
    const after = lampModel.step(at(22.5));
    expect(after.metrics).toMatchObject({ powerState: 'off', dimmingLevel: 0 });
    expect(after.metrics.energyConsumed - before.metrics.energyConsumed).toBeLessThanOrEqual(0.003);
  });

  it('keep the model deterministic and refuse to go back in time', () => {
    const script = (seed: number) => {
      const lampModel = model(lamp, seed);
      const steps = run(lampModel, MONDAY, 20 * HOUR);
      const outcomes = [lampModel.command({ action: 'setDimming', level: 40 }, at(20.1))];
      steps.push(...from(lampModel, 20, 6));
      outcomes.push(lampModel.command({ action: 'switch', on: true }, at(26.3)));
      steps.push(...from(lampModel, 26.5, 12));
      outcomes.push(lampModel.command({ action: 'returnToSchedule' }, at(38.75)));
      steps.push(...from(lampModel, 38.75, 12));
      return { steps, outcomes };
    };
    expect(script(9)).toEqual(script(9));
    expect(script(10)).not.toEqual(script(9));
    const cam = model(device('camera', 'cam-cmd'));
    cam.step(at(1));
    expect(() => cam.command({ action: 'reboot' }, at(0.5))).toThrow(RangeError);
  });

  it('may come before the first step', () => {
    const lampModel = model(lamp, 4);
    expect(lampModel.command({ action: 'switch', on: true }, at(12))).toEqual({ status: 'succeeded' });
    expect(lampModel.step(at(12.25)).metrics).toMatchObject({ powerState: 'on', dimmingLevel: 100 });
  });
});
