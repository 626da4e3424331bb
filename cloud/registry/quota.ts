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
 * Places under a quota: of `candidates` (in priority order: the fleet files' order), those that fit
 * when `used` places are taken already and at most `quota` may be. A repeated id takes no second
 * place (it stays with its first). Returns the fitting ones, and how many distinct ids did not fit.
 */
export function fitWithin<T extends { id: string }>(
  candidates: readonly T[],
  used: number,
  quota: number,
): { fitting: T[]; over: number } {
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
