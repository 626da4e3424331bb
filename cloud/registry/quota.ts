import type { FleetFile } from '../../shared/fleet.ts';
import type { DeviceRecord, GatewayRecord } from './store.ts';

/** How many devices and gateways a tenant's registry may hold (its quotas). */
export interface RegistryQuotas {
  devices: number;
  gateways: number;
}

export const unlimited: RegistryQuotas = {
  devices: Number.POSITIVE_INFINITY,
  gateways: Number.POSITIVE_INFINITY,
};

/**
 * Of fleet-file entries a quota kept out, those to admit now that `held` places are taken and at most
 * `quota` may be: one heard from or learned meanwhile is held already (it is provisioned, taking no
 * second place), then the others in file order while they fit.
 */
export function admissible<T extends { id: string }>(
  waiting: readonly T[],
  held: { has(id: string): boolean; size: number },
  quota: number,
): T[] {
  const fresh = waiting.filter((x) => !held.has(x.id));
  return [...waiting.filter((x) => held.has(x.id)), ...fitWithin(fresh, held.size, quota).fitting];
}

/**
 * Places under a quota: of `candidates` (in priority order: the fleet files' order), those that fit
 * when `used` places are taken already and at most `quota` may be. A repeated id takes no second
 * place (it stays with its first). Returns the fitting ones, and how many distinct ids did not fit.
 */
export function fitWithin<T extends { id: string }>(
  candidates: readonly T[],
  used: number,
  quota: number,
): { fitting: T[]; over: number } {
  // All fit (repeated ids take no place): no need to count them one by one (a region's million).
  if (used + candidates.length <= quota) return { fitting: [...candidates], over: 0 };
  const placed = new Set<string>();
  const refused = new Set<string>();
  const fitting: T[] = [];
  for (const candidate of candidates) {
    if (placed.has(candidate.id)) fitting.push(candidate);
    else if (used + placed.size < quota) {
      placed.add(candidate.id);
      fitting.push(candidate);
    } else refused.add(candidate.id);
  }
  return { fitting, over: refused.size };
}

/**
 * What the registry did not take for a quota: at a load (start, or a raised quota), fleet-file entries
 * beyond it and records kept from earlier (learned or withdrawn devices, gateways once heard) for which
 * no room was left; at `learn`, an unknown device's reading or event (LEARN_UNPROVISIONED_DEVICES).
 */
export type OverQuota =
  | { when: 'load'; what: 'devices' | 'gateways'; quota: number; fleet: number; earlier: number }
  | { when: 'learn'; what: 'devices'; quota: number };

/** What a load holds, provisions and leaves out, within the quotas (see `planLoad`). */
export interface LoadPlan {
  /** Stored devices held as they are: those the fleet files list (their history) and earlier ones that fit, in store order. */
  storedDevices: DeviceRecord[];
  /** Stored devices the fleet files do not list, held (learned, or withdrawn from the files). */
  earlierDevices: DeviceRecord[];
  /** Stored gateways the fleet files do not list, held (heard from). */
  earlierGateways: GatewayRecord[];
  /** The fleet files' entries within the quotas, in file order. */
  fleetDevices: FleetFile['devices'];
  fleetGateways: FleetFile['gateways'];
  /** The fleet files' entries left out, in file order: admitted when the quotas are raised. */
  waiting: { devices: FleetFile['devices']; gateways: FleetFile['gateways'] };
  over: OverQuota[];
}

/**
 * Plans a load of the registry: the fleet files' first devices and gateways (in file order) up to
 * the quotas, then the stored records the files do not list while room is left; the rest is left out.
 */
export function planLoad(
  fleets: FleetFile[],
  stored: { devices: DeviceRecord[]; gateways: GatewayRecord[] },
  quotas: RegistryQuotas,
): LoadPlan {
  const fleetGateways = fitWithin(
    fleets.flatMap((f) => f.gateways),
    0,
    quotas.gateways,
  );
  const fleetDevices = fitWithin(
    fleets.flatMap((f) => f.devices),
    0,
    quotas.devices,
  );
  const listedGateways = new Set(fleetGateways.fitting.map((g) => g.id));
  const listed = new Set(fleetDevices.fitting.map((d) => d.id));
  const earlierGateways = fitWithin(
    stored.gateways.filter((g) => !listedGateways.has(g.id)),
    listedGateways.size,
    quotas.gateways,
  );
  const earlierDevices = fitWithin(
    stored.devices.filter((d) => !listed.has(d.id)),
    listed.size,
    quotas.devices,
  );
  const kept = new Set(earlierDevices.fitting.map((d) => d.id));
  const held = { has: (id: string) => listed.has(id) || kept.has(id) };
  const heldGateways = new Set([...listedGateways, ...earlierGateways.fitting.map((g) => g.id)]);
  const over: OverQuota[] = [];
  for (const [what, fleet, earlier, quota] of [
    ['gateways', fleetGateways.over, earlierGateways.over, quotas.gateways],
    ['devices', fleetDevices.over, earlierDevices.over, quotas.devices],
  ] as const)
    if (fleet + earlier > 0) over.push({ when: 'load', what, quota, fleet, earlier });
  // When everything fits, every stored device is held and no fleet entry waits: a region's million
  // are not each looked up again.
  return {
    storedDevices: earlierDevices.over === 0 ? stored.devices : stored.devices.filter((d) => held.has(d.id)),
    earlierDevices: earlierDevices.fitting,
    earlierGateways: earlierGateways.fitting,
    fleetDevices: fleetDevices.fitting,
    fleetGateways: fleetGateways.fitting,
    waiting: {
      devices: fleetDevices.over === 0 ? [] : fleets.flatMap((f) => f.devices).filter((d) => !held.has(d.id)),
      gateways:
        fleetGateways.over === 0
          ? []
          : fleets.flatMap((f) => f.gateways).filter((g) => !heldGateways.has(g.id)),
    },
    over,
  };
}
