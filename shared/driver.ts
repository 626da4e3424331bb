import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Clock } from './clock.ts';
import type { DriverHealth } from './driver-health.ts';
import type { City, FleetDevice } from './fleet.ts';
import type { DeviceCommand, DeviceEvent, DeviceKind, Reading } from './kinds/index.ts';
import type { CommandReason } from './messages.ts';

export interface CommandExecution {
  status: 'succeeded' | 'failed' | 'rejected';
  /** An enumerated code, never free text: it travels to the cloud in the command result. */
  reason?: CommandReason;
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
  /**
   * How the driver is doing (shared/driver-health.ts): errors counted, last success, state. Sent in
   * the gateway's heartbeat; a driver never throws out of poll or execute, it counts here instead.
   */
  health(): DriverHealth;
  close(): Promise<void>;
}

/** What a driver factory is given: the gateway, and the devices its fleet file gives it. */
export interface DriverContext {
  gatewayId: string;
  /** The entry's `name`, when it has one: drivers report it in their health. */
  name?: string;
  /** Where a driver logs what went wrong, with context (the agent's logger; silent when absent). */
  log?: Logger;
  devices: FleetDevice[];
  city: City;
}

/** What a driver factory builds for one gateway; everything beside `drivers` is for simulations. */
export interface GatewayDrivers {
  drivers: DeviceDriver[];
  /** Device time when it is not the wall clock: `speed` device seconds pass per real second. */
  clock?: Clock;
  /** Seeded randomness for the agent (its reconnect jitter), so that a simulation replays the same. */
  random?: () => number;
  /** Fault injection: a malformed payload to send beside a real batch, or undefined. */
  malformed?: () => Buffer | undefined;
  /** Fault injection: the gateway drops off the network every `everyS` seconds for `forS` (real time). */
  outages?: { everyS: number; forS: number };
}

/**
 * Builds a gateway's drivers of one type from its entry in the edge configuration
 * (`drivers: [{ type, name?, ...settings }]`; `type` and `name` are not settings). Real drivers live in a folder of `edge/drivers/`, the
 * simulated one in `simulators/driver/`; each is registered under its type by an entry point.
 */
export interface DriverFactory<Settings = unknown> {
  /** The entry's settings (all but `type` and `name`): validated, with defaults filled in. */
  readonly settings: z.ZodType<Settings>;
  create(settings: Settings, context: DriverContext): GatewayDrivers;
}

export type { DriverHealth, DriverState } from './driver-health.ts';
