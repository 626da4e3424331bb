import type { FleetDevice } from '../shared/fleet.ts';
import { simulatedKinds } from './kinds/index.ts';

/**
 * The problems the demo city starts with, so that alerts show within a minute of `npm start`: the
 * first device of each kind (in fleet order) starts with its kind's `demoFault` (a failed lamp, a
 * nearly full bin, a camera on a poor 5G link, a faulted charger).
 */
export function demoFaults(devices: readonly FleetDevice[]): { device: string; fault: string }[] {
  const faults = new Map<string, { device: string; fault: string }>();
  for (const device of devices) {
    const fault = simulatedKinds[device.kind].demoFault;
    if (fault && !faults.has(device.kind)) faults.set(device.kind, { device: device.id, fault });
  }
  return [...faults.values()];
}
