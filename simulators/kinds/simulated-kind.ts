import type { DeviceKind, Metrics } from '../../shared/kinds/index.ts';
import type { DeviceModel, ModelContext } from '../models/model.ts';

/** What the simulators know of one device kind: how to make a fleet of it and how its devices behave. */
export interface SimulatedKind<K extends DeviceKind> {
  kind: K;
  /** Device ids of the generated fleet are `<idPrefix>-000042`. */
  idPrefix: string;
  /** Relative share of the generated fleet (the shares of all kinds are normalised). */
  fleetShare: number;
  createModel(context: ModelContext): DeviceModel<K>;
  /** The problem in progress (a fault its model can inject) that one device of the demo city starts with. */
  demoFault?: string;
  /**
   * Values of a device in normal operation, where no default rule of the kind fires; cheap to make,
   * varied by `i`, for the load generator of the benchmarks. `sunUp` says whether it is daytime.
   */
  quietMetrics(i: number, at: { now: Date; sunUp: boolean }): Required<Metrics<K>>;
  /**
   * For the rule and alert benchmarks: a numeric metric, a value of normal operation and one far
   * above it (a threshold halfway between fires on the second only), and the numeric metrics the
   * benchmarks' many never-firing rules read (a benchmark reading carries the first four).
   */
  probe?: {
    metric: keyof Metrics<K> & string;
    normal: number;
    alarming: number;
    ruleMetrics: readonly (keyof Metrics<K> & string)[];
  };
}

/** A location-free jitter of a value for the benchmarks' metric sets: `base ± spread`, 3 decimals. */
export function jitter(i: number, base: number, spread: number): number {
  return Math.round((base + spread * Math.sin(i * 1.7 + base)) * 1000) / 1000;
}
