import type { z } from 'zod';
import type { City, FleetDevice } from '../../shared/fleet.ts';
import type { DeviceKind, kinds, Metrics } from '../../shared/kinds/index.ts';
import type { CommandReason } from '../../shared/messages.ts';
import type { Random } from '../random.ts';

export interface ModelContext {
  city: City;
  device: FleetDevice;
  /** The device's own stream, e.g. `root.fork(device.id)`, so that its behaviour does not depend on fleet order. */
  random: Random;
}

export type EventType<K extends DeviceKind> = z.infer<(typeof kinds)[K]['events']>;

/** The values an event of kind `K` may carry (e.g. a finished session's energy). */
export type EventValues<K extends DeviceKind> = Partial<z.infer<(typeof kinds)[K]['eventValues']>>;

export interface ModelEvent<K extends DeviceKind> {
  type: EventType<K>;
  values?: EventValues<K>;
}

export interface Step<K extends DeviceKind> {
  /** A full reading: every metric of the kind is present. */
  metrics: Required<Metrics<K>>;
  events: ModelEvent<K>[];
}

/** A command an operator sends to a device of kind `K`, e.g. `{ action: 'switch', on: true }`. */
export type Command<K extends DeviceKind> = z.infer<(typeof kinds)[K]['commands']>;

/** What became of a command: 'failed' when the device took it but could not carry it out, 'rejected' when it refused it. */
export interface CommandOutcome {
  status: 'succeeded' | 'failed' | 'rejected';
  reason?: CommandReason;
}

export interface DeviceModel<K extends DeviceKind> {
  readonly kind: K;
  /** Advances the simulated device to `now` (monotonic; first call initialises) and returns a full reading of all metrics plus events that happened since the last step. */
  step(now: Date): Step<K>;
  /** Fault injection: freeze the sensor so that every following step repeats the last metrics (a stuck sensor), until unstick(). */
  stick(): void;
  unstick(): void;
  /**
   * Fault injection: a problem in progress from the first step on (e.g. a failed lamp), one of the
   * physics' `faults`; throws, naming those, on another.
   */
  inject(fault: string): void;
  /**
   * Applies an operator's command at `now` (after stepping to `now`); the simulated device obeys it.
   * Events it causes are reported by the next step. A stuck device obeys too, only its readings stay frozen.
   */
  command(command: Command<K>, now: Date): CommandOutcome;
}

/** Any device model, discriminated by `kind`. */
export type AnyDeviceModel = { [K in DeviceKind]: DeviceModel<K> }[DeviceKind];

/**
 * The physics of one device kind, driven by `simulate`: it is advanced over short intervals
 * and read once per step.
 */
export interface Physics<K extends DeviceKind> {
  readonly kind: K;
  /** Sets the initial state at the instant of the first step. */
  init?(now: Date): void;
  /** Advances the state over (from, to], never longer than `MAX_INTERVAL_MS`, pushing what happened to `events`. */
  advance(from: Date, to: Date, events: ModelEvent<K>[]): void;
  /** The full reading at `now`, the end of the last interval; counters of the reporting interval restart. */
  read(now: Date): Required<Metrics<K>>;
  /**
   * Carries out a command at `now`, the end of the last interval, pushing what happened to `events`.
   * Physics without it have nothing to change for any command of their kind (the driver handles them).
   */
  command?(command: Command<K>, now: Date, events: ModelEvent<K>[]): CommandOutcome;
  /** The problems this kind can start with (fault injection), each set up at `now`, the first step. */
  readonly faults?: Readonly<Record<string, (now: Date) => void>>;
}

export const MAX_INTERVAL_MS = 15 * 60_000;
