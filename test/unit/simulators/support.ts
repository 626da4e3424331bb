import type { FleetDevice } from '../../../shared/fleet.ts';
import type { DeviceKind } from '../../../shared/kinds/index.ts';
import { GENT } from '../../../simulators/fleet.ts';
import { createModel } from '../../../simulators/models/index.ts';
import type { DeviceModel, Step } from '../../../simulators/models/model.ts';
import { createRandom } from '../../../simulators/random.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A device of the given kind at `northM` metres north of Gent's centre. */
export function device(kind: DeviceKind, id: string, district = 'centrum', northM = 0): FleetDevice {
  return {
    id,
    kind,
    gatewayId: `gw-${district}-01`,
    district,
    location: { lat: GENT.location.lat + northM / 111_320, lon: GENT.location.lon },
  };
}

/** The model of a device, with its own stream forked from `seed` as the platform does it. */
export function model<K extends DeviceKind>(
  fleetDevice: FleetDevice & { kind: K },
  seed = 1,
): DeviceModel<K> {
  return createModel({
    city: GENT,
    device: fleetDevice,
    random: createRandom(seed).fork(fleetDevice.id),
  }) as DeviceModel<K>;
}

export interface Timed<K extends DeviceKind> extends Step<K> {
  at: Date;
}

/** Steps a model from `start` (included) every `stepMs` for `durationMs`. */
export function run<K extends DeviceKind>(
  deviceModel: DeviceModel<K>,
  start: Date,
  durationMs: number,
  stepMs = 15 * MINUTE,
): Timed<K>[] {
  const steps: Timed<K>[] = [];
  for (let t = start.getTime(); t <= start.getTime() + durationMs; t += stepMs) {
    const at = new Date(t);
    steps.push({ at, ...deviceModel.step(at) });
  }
  return steps;
}
