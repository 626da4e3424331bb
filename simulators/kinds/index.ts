import type { DeviceKind } from '../../shared/kinds/index.ts';
import { camera } from './camera/index.ts';
import { evCharger } from './evCharger/index.ts';
import type { SimulatedKind } from './simulated-kind.ts';
import { streetlight } from './streetlight/index.ts';
import { wasteBin } from './wasteBin/index.ts';

/** The simulator of every kind of shared/kinds/index.ts: a kind left out is a compile error. */
export const simulatedKinds: { [K in DeviceKind]: SimulatedKind<K> } = {
  streetlight,
  wasteBin,
  camera,
  evCharger,
};

export type AnySimulatedKind = (typeof simulatedKinds)[DeviceKind];
export type { SimulatedKind };
