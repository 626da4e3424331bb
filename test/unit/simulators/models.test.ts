import { describe, expect, it } from 'vitest';
import { type DeviceKind, deviceKind, kinds } from '../../../shared/kinds/index.ts';
import { GENT } from '../../../simulators/fleet.ts';
import { createModel } from '../../../simulators/models/index.ts';
import { createRandom } from '../../../simulators/random.ts';
import { device, HOUR, MINUTE, model, run } from './support.ts';

const MONDAY = new Date('2026-11-15T23:00:00Z'); // Monday 00:00 in Gent
const WEEK = 7 * 24 * HOUR;
const KINDS: DeviceKind[] = deviceKind.options;

describe.each(KINDS)('%s model', (kind) => {
  it('produces full readings that the contract accepts over a week at 15-minute steps', () => {
    const schema = kinds[kind];
    const metricNames = Object.keys(schema.metrics.shape).sort();
    const events = new Set<string>();
    for (let n = 0; n < 8; n++) {
      const fleetDevice = device(kind, `${kind}-${n}`, 'centrum', n * 700);
      for (const step of run(model(fleetDevice), MONDAY, WEEK)) {
        expect(Object.keys(step.metrics).sort()).toEqual(metricNames);
        schema.reading.parse({
          deviceId: fleetDevice.id,
          kind,
          ts: step.at.toISOString(),
          metrics: step.metrics,
        });
        for (const event of step.events) {
          schema.event.parse({ deviceId: fleetDevice.id, kind, ts: step.at.toISOString(), ...event });
          events.add(event.type);
        }
      }
    }
    expect(events.size).toBeGreaterThan(0);
  });

  it('is deterministic: the same seed gives the same steps, another seed different ones', () => {
    const fleetDevice = device(kind, `${kind}-1`);
    const first = run(model(fleetDevice, 11), MONDAY, 2 * 24 * HOUR);
    expect(run(model(fleetDevice, 11), MONDAY, 2 * 24 * HOUR)).toEqual(first);
    expect(run(model(fleetDevice, 12), MONDAY, 2 * 24 * HOUR)).not.toEqual(first);
  });

  it('repeats the last reading while stuck and reports again after unstick', () => {
    const deviceModel = model(device(kind, `${kind}-1`));
    const before = run(deviceModel, MONDAY, 6 * HOUR).at(-1);
    deviceModel.stick();
    const stuck = run(deviceModel, new Date(MONDAY.getTime() + 7 * HOUR), 12 * HOUR);
    for (const step of stuck) {
      expect(step.metrics).toEqual(before?.metrics);
      expect(step.events).toEqual([]);
    }
    deviceModel.unstick();
    const after = run(deviceModel, new Date(MONDAY.getTime() + 20 * HOUR), 2 * HOUR);
    expect(after.some((step) => JSON.stringify(step.metrics) !== JSON.stringify(before?.metrics))).toBe(true);
  });

  it('refuses to go back in time', () => {
    const deviceModel = model(device(kind, `${kind}-1`));
    deviceModel.step(MONDAY);
    expect(() => deviceModel.step(new Date(MONDAY.getTime() - MINUTE))).toThrow(RangeError);
  });
});

describe('createModel', () => {
  it('chooses the model by device kind', () => {
    for (const kind of KINDS) {
      const created = createModel({ city: GENT, device: device(kind, 'x'), random: createRandom(1) });
      expect(created.kind).toBe(kind);
    }
  });

  it('gives a device the same behaviour whatever else the fleet holds', () => {
    const lamp = device('streetlight', 'lamp-000007');
    const alone = run(model(lamp, 3), MONDAY, 24 * HOUR);
    const root = createRandom(3);
    const others = [device('camera', 'cam-000001'), device('wasteBin', 'bin-000002')].map((d) =>
      createModel({ city: GENT, device: d, random: root.fork(d.id) }),
    );
    for (const other of others) run(other, MONDAY, 24 * HOUR);
    const inFleet = createModel({ city: GENT, device: lamp, random: root.fork(lamp.id) });
    expect(run(inFleet, MONDAY, 24 * HOUR)).toEqual(alone);
  });
});
