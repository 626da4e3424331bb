import type { Logger } from 'pino';
import type { CommandExecution, DeviceDriver, DriverHealth } from '../../../shared/driver.ts';
import type { DeviceCommand, DeviceEvent, DeviceKind, Reading } from '../../../shared/kinds/index.ts';
import type { HealthTracker } from '../health.ts';
import type { DeviceRead, ModbusDevice } from './device.ts';

/**
 * The Modbus TCP devices of one kind on a gateway: a poll reads them all side by side (each on its
 * own connection), counts what failed in the entry's health and logs a device's problem when it
 * changes; a command writes the device's registers and reads it back, so the new state is sent.
 */
export class ModbusDriver implements DeviceDriver {
  readonly kind: DeviceKind;
  private readonly devices: Map<string, ModbusDevice>;
  private readonly tracker: HealthTracker;
  private readonly log: Logger;
  /** Each device's last problem, so that a device down for a day is logged once, not every poll. */
  private readonly problems = new Map<string, string | undefined>();

  constructor(kind: DeviceKind, devices: ModbusDevice[], tracker: HealthTracker, log: Logger) {
    this.kind = kind;
    this.devices = new Map(devices.map((d) => [d.deviceId, d]));
    this.tracker = tracker;
    this.log = log;
  }

  get deviceCount(): number {
    return this.devices.size;
  }

  has(deviceId: string): boolean {
    return this.devices.has(deviceId);
  }

  async poll(now: Date): Promise<{ readings: Reading[]; events: DeviceEvent[] }> {
    const reads = await Promise.all([...this.devices.values()].map((d) => this.read(d, now)));
    return { readings: reads.flatMap((r) => (r.reading ? [r.reading] : [])), events: [] };
  }

  private async read(device: ModbusDevice, now: Date): Promise<DeviceRead> {
    const read = await device.read(now);
    this.tracker.record(device.deviceId, read.outcome, now, read.code);
    const problem = read.outcome === 'ok' ? undefined : `${read.outcome} ${read.code}`;
    if (problem !== this.problems.get(device.deviceId)) {
      this.problems.set(device.deviceId, problem);
      if (problem)
        this.log.warn(
          { deviceId: device.deviceId, outcome: read.outcome, code: read.code },
          'Modbus device read failed',
        );
      else this.log.info({ deviceId: device.deviceId }, 'Modbus device reads again');
    }
    return read;
  }

  async execute(deviceId: string, command: DeviceCommand['command'], now: Date): Promise<CommandExecution> {
    const device = this.devices.get(deviceId);
    if (!device) return { status: 'rejected', reason: 'unknownDevice' };
    const { code, ...outcome } = await device.execute(command);
    if (code) {
      this.tracker.error(code);
      this.log.warn({ deviceId, action: command.action, code }, 'Modbus command failed');
    }
    if (outcome.status !== 'succeeded') return outcome;
    const { reading } = await this.read(device, now);
    return { ...outcome, readings: reading ? [reading] : [] };
  }

  health(): DriverHealth {
    return this.tracker.snapshot();
  }

  async close(): Promise<void> {
    for (const device of this.devices.values()) device.close();
  }
}
