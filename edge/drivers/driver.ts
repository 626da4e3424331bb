import type { DeviceCommand, DeviceEvent, DeviceKind, Reading } from '../../shared/kinds/index.ts';

export interface CommandExecution {
  status: 'succeeded' | 'failed' | 'rejected';
  detail?: string;
  /** Readings and events taken because of the command (e.g. a status request), sent like any other. */
  readings?: Reading[];
  events?: DeviceEvent[];
}

/**
 * A driver reads the devices of one kind that a gateway owns and carries out commands on them. The
 * simulator is one driver source; a real one (DALI, LoRaWAN, a camera's analytics API) implements
 * the same methods.
 */
export interface DeviceDriver {
  readonly kind: DeviceKind;
  readonly deviceCount: number;
  has(deviceId: string): boolean;
  /** Reads every device that is due at `now`; returns full readings and the events since the last poll. */
  poll(now: Date): Promise<{ readings: Reading[]; events: DeviceEvent[] }>;
  execute(deviceId: string, command: DeviceCommand['command'], now: Date): Promise<CommandExecution>;
  close(): Promise<void>;
}
