import { describe, expect, it } from 'vitest';
import type { DeviceKind } from '../../../shared/kinds/index.ts';
import { demoFaults } from '../../../simulators/demo-faults.ts';
import { simulatedKinds } from '../../../simulators/kinds/index.ts';
import { device, HOUR, model } from './support.ts';

// Night in Gent (lamps on), a weekday morning for the bins.
const start = new Date('2026-01-13T02:00:00Z');

/** What a device of each kind reads in its first step, with and without its demo fault injected. */
const cases: { kind: DeviceKind; healthy: (m: Record<string, unknown>) => boolean }[] = [
  { kind: 'streetlight', healthy: (m) => m.status === 'ok' },
  { kind: 'wasteBin', healthy: (m) => (m.fillingLevel as number) <= 80 },
  { kind: 'camera', healthy: (m) => (m.sinr as number) > 0 && (m.rsrp as number) > -110 },
  { kind: 'evCharger', healthy: (m) => m.connectorStatus !== 'Faulted' },
];

describe('fault injection: problems in progress', () => {
  it.each(cases)('a $kind starts with its demo fault, and without it does not', ({ kind, healthy }) => {
    const fault = simulatedKinds[kind].demoFault as string;
    const plain = model(device(kind, `${kind}-1`));
    expect(healthy(plain.step(start).metrics)).toBe(true);
    const faulty = model(device(kind, `${kind}-1`));
    faulty.inject(fault);
    expect(healthy(faulty.step(start).metrics)).toBe(false);
    // Still in progress an hour later (the crew comes within a day).
    expect(healthy(faulty.step(new Date(start.getTime() + HOUR)).metrics)).toBe(false);
  });

  it('injects into a model that already runs, at its last step', () => {
    const lamp = model(device('streetlight', 'lamp-1'));
    lamp.step(start);
    lamp.inject('lampFailure');
    expect(lamp.step(new Date(start.getTime() + 60_000)).metrics.status).toBe('defectiveLamp');
  });

  it('refuses a fault the kind does not have, naming those it has', () => {
    expect(() => model(device('streetlight', 'lamp-1')).inject('full')).toThrow(
      'a streetlight has no fault "full" (its faults: lampFailure)',
    );
  });
});

describe('demoFaults', () => {
  it('gives the first device of each kind its kind’s demo fault', () => {
    const devices = [
      device('streetlight', 'lamp-1'),
      device('streetlight', 'lamp-2'),
      device('wasteBin', 'bin-1'),
      device('camera', 'cam-1'),
      device('wasteBin', 'bin-2'),
    ];
    expect(demoFaults(devices)).toEqual([
      { device: 'lamp-1', fault: 'lampFailure' },
      { device: 'bin-1', fault: 'full' },
      { device: 'cam-1', fault: 'poorLink' },
    ]);
    expect(demoFaults([])).toEqual([]);
  });
});
