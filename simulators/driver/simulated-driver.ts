import type { CommandExecution, DeviceDriver, DriverHealth } from '../../shared/driver.ts';
import type { City, FleetDevice } from '../../shared/fleet.ts';
import type { DeviceCommand, DeviceEvent, DeviceKind, Reading } from '../../shared/kinds/index.ts';
import { type AnyDeviceModel, createModel } from '../models/index.ts';
import type { Random } from '../random.ts';

/** A driver whose devices are simulator models: the demo's and the tests' source of readings. */
export class SimulatedDriver implements DeviceDriver {
  readonly kind: DeviceKind;
  private readonly models = new Map<string, AnyDeviceModel>();
  /** Devices told to report at their own interval, and when they last did. */
  private readonly intervals = new Map<string, { everyMs: number; lastAt: number }>();
  /** When the last poll ended: a simulated device always answers. */
  private lastSuccess?: string;

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
    const readings: Reading[] = [];
    const events: DeviceEvent[] = [];
    for (const deviceId of this.models.keys()) {
      const interval = this.intervals.get(deviceId);
      if (interval && now.getTime() - interval.lastAt < interval.everyMs) continue;
      if (interval) interval.lastAt = now.getTime();
      this.read(deviceId, now, readings, events);
    }
    this.lastSuccess = now.toISOString();
    return { readings, events };
  }

  health(): DriverHealth {
    return {
      driver: 'simulated',
      state: 'ok',
      errors: 0,
      ...(this.lastSuccess ? { lastSuccess: this.lastSuccess } : {}),
    };
  }

  private read(deviceId: string, now: Date, readings: Reading[], events: DeviceEvent[]): void {
    const model = this.models.get(deviceId) as AnyDeviceModel;
    const ts = now.toISOString();
    const step = model.step(now);
    readings.push({ deviceId, kind: model.kind, ts, metrics: step.metrics } as Reading);
    for (const event of step.events) events.push({ deviceId, kind: model.kind, ts, ...event } as DeviceEvent);
  }

  async execute(deviceId: string, command: DeviceCommand['command'], now: Date): Promise<CommandExecution> {
    const model = this.models.get(deviceId);
    if (!model) return { status: 'rejected', reason: 'unknownDevice' };
    // The command union is checked per kind by the cloud and the command handler.
    const outcome = (model.command as (c: DeviceCommand['command'], at: Date) => CommandExecution)(
      command,
      now,
    );
    if (command.action === 'setReportingInterval' && outcome.status === 'succeeded') {
      this.intervals.set(deviceId, { everyMs: command.seconds * 1000, lastAt: now.getTime() });
    }
    if (command.action === 'requestStatus' && outcome.status === 'succeeded') {
      const readings: Reading[] = [];
      const events: DeviceEvent[] = [];
      this.read(deviceId, now, readings, events);
      return { ...outcome, readings, events };
    }
    return outcome;
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

  /** Fault injection: the device starts with a problem in progress (a fault its kind's simulator names). */
  inject(deviceId: string, fault: string): void {
    const model = this.models.get(deviceId);
    if (!model) throw new Error(`no simulated device ${deviceId}`);
    model.inject(fault);
  }

  async close(): Promise<void> {}
}

/** One simulated driver per kind for the devices a gateway owns. */
export function simulatedDrivers(devices: FleetDevice[], city: City, random: Random): SimulatedDriver[] {
  const byKind = Map.groupBy(devices, (d) => d.kind);
  return [...byKind].map(([kind, group]) => new SimulatedDriver(kind, group, city, random));
}
