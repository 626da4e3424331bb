import type { CommandExecution, DeviceDriver } from '../../../shared/driver.ts';
import type { DriverHealth } from '../../../shared/driver-health.ts';
import type { DeviceCommand, DeviceEvent, DeviceKind, Reading } from '../../../shared/kinds/index.ts';
import type { ChirpstackConnection } from './connection.ts';

/**
 * The devices of one kind behind a ChirpStack connection, as the agent sees them: it polls the
 * readings and events that came since the last poll and hands it commands. The drivers of one entry
 * share its connection; each reports its kind's errors, and the entry's first driver also those of
 * the entry as a whole. The first poll or command connects it.
 */
export class ChirpstackDriver implements DeviceDriver {
  readonly kind: DeviceKind;
  private readonly connection: ChirpstackConnection;
  private readonly devices: ReadonlySet<string>;
  private readonly first: boolean;

  constructor(
    kind: DeviceKind,
    deviceIds: readonly string[],
    connection: ChirpstackConnection,
    first: boolean,
  ) {
    this.kind = kind;
    this.devices = new Set(deviceIds);
    this.connection = connection;
    this.first = first;
  }

  get deviceCount(): number {
    return this.devices.size;
  }

  has(deviceId: string): boolean {
    return this.devices.has(deviceId);
  }

  async poll(_now: Date): Promise<{ readings: Reading[]; events: DeviceEvent[] }> {
    this.connection.start();
    return this.connection.take(this.kind);
  }

  /** Succeeds (reason `deferred`) once ChirpStack has the downlink; the device gets it later. */
  async execute(deviceId: string, command: DeviceCommand['command'], _now: Date): Promise<CommandExecution> {
    if (!this.devices.has(deviceId)) return { status: 'rejected', reason: 'unknownDevice' };
    this.connection.start();
    return this.connection.downlink(deviceId, command);
  }

  health(): DriverHealth {
    return this.connection.status(this.kind, this.first);
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
