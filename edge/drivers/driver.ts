import type { DeviceEvent, DeviceKind, Reading } from '../../shared/kinds/index.ts';

/**
 * A driver reads the devices of one kind that a gateway owns. The simulator is one driver source;
 * a real one (DALI, LoRaWAN, a camera's analytics API) implements the same two methods.
 */
export interface DeviceDriver {
  readonly kind: DeviceKind;
  /** Reads every device once at `now`; returns full readings and the events since the last poll. */
  readonly deviceCount: number;
  poll(now: Date): Promise<{ readings: Reading[]; events: DeviceEvent[] }>;
  close(): Promise<void>;
}
