import type { City, FleetDevice } from '../../shared/fleet.ts';
import type { DeviceEvent, DeviceKind, Reading } from '../../shared/kinds/index.ts';
import { type AnyDeviceModel, createModel } from '../../simulators/models/index.ts';
import type { Random } from '../../simulators/random.ts';
import type { DeviceDriver } from './driver.ts';

/** A driver whose devices are simulator models: the demo's and the tests' source of readings. */
export class SimulatedDriver implements DeviceDriver {
  readonly kind: DeviceKind;
  private readonly models = new Map<string, AnyDeviceModel>();

  constructor(kind: DeviceKind, devices: FleetDevice[], city: City, random: Random) {
    this.kind = kind;
    for (const device of devices) {
      if (device.kind !== kind) throw new Error(`device ${device.id} is a ${device.kind}, not a ${kind}`);
      this.models.set(device.id, createModel({ city, device, random: random.fork(device.id) }));
    }
  }

  get deviceCount(): number {
    return this.models.size;
  }

  async poll(now: Date): Promise<{ readings: Reading[]; events: DeviceEvent[] }> {
    const ts = now.toISOString();
    const readings: Reading[] = [];
    const events: DeviceEvent[] = [];
    for (const [deviceId, model] of this.models) {
      const step = model.step(now);
      readings.push({ deviceId, kind: model.kind, ts, metrics: step.metrics } as Reading);
      for (const event of step.events)
        events.push({ deviceId, kind: model.kind, ts, ...event } as DeviceEvent);
    }
    return { readings, events };
  }

  has(deviceId: string): boolean {
    return this.models.has(deviceId);
  }

  /** Fault injection: the device's sensor repeats its last values until `unstick`. */
  stick(deviceId: string, stuck = true): void {
    const model = this.models.get(deviceId);
    if (!model) throw new Error(`no simulated device ${deviceId}`);
    if (stuck) model.stick();
    else model.unstick();
  }

  async close(): Promise<void> {}
}

/** One simulated driver per kind for the devices a gateway owns. */
export function simulatedDrivers(devices: FleetDevice[], city: City, random: Random): SimulatedDriver[] {
  const byKind = Map.groupBy(devices, (d) => d.kind);
  return [...byKind].map(([kind, group]) => new SimulatedDriver(kind, group, city, random));
}
