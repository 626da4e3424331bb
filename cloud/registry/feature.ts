import type { Logger } from 'pino';
import type { City } from '../../shared/fleet.ts';
import { readFleetFiles } from '../../shared/fleet-files.ts';
import type { CounterSink } from '../monitoring/counters.ts';
import { compileFleetCheck } from './fleet-check.ts';
import type { OverQuota, RegistryQuotas } from './quota.ts';
import { DeviceRegistry } from './registry.ts';
import type { RegistrySaves } from './saved-elsewhere.ts';
import type { RegistryStore } from './store.ts';

export interface RegistryFeatureDeps {
  store: RegistryStore;
  /** The fleet files' folder, read at start. */
  fleetDir: string;
  offlineAfterMs: number;
  /** LEARN_UNPROVISIONED_DEVICES. */
  learnUnprovisioned: boolean;
  /** The tenant's city (name, time zone, location), which the fleet files' cities give way to. */
  city?: () => City;
  /** The tenant's quotas of devices and gateways (unlimited without). */
  quotas?: () => RegistryQuotas;
  /** Where what a quota kept out is counted (`devices_over_quota`, `gateways_over_quota`). */
  counters: CounterSink;
  now: () => Date;
  log: Logger;
  /** Cluster mode: what it saves while running goes to the other nodes (cloud/cluster/cell-sharing.ts). */
  onSaved?: (saved: RegistrySaves) => void;
}

/** Counts what a quota kept out; what a load left out is logged too (once per load, with the count). */
function overQuotaReporter(counters: CounterSink, log: Logger) {
  return (over: OverQuota) => {
    if (over.when === 'learn') return counters.add('devices_over_quota');
    counters.add(`${over.what}_over_quota`, over.fleet + over.earlier);
    log.warn(
      { [over.what]: over.fleet, earlier: over.earlier, quota: over.quota },
      `${over.fleet} ${over.what} of the fleet files not loaded` +
        (over.earlier > 0 ? ` (and ${over.earlier} kept from earlier)` : '') +
        `: the tenant's quota is ${over.quota} ${over.what} (a raised quota admits them, in file order)`,
    );
  };
}

const isFleetFile = compileFleetCheck();

/** The device registry: loaded from the fleet files at start, flushed to the database while it runs. */
export function registryFeature(deps: RegistryFeatureDeps) {
  const registry = new DeviceRegistry({
    store: deps.store,
    now: deps.now,
    offlineAfterMs: deps.offlineAfterMs,
    learnUnprovisioned: deps.learnUnprovisioned,
    city: deps.city,
    quotas: deps.quotas,
    onOverQuota: overQuotaReporter(deps.counters, deps.log),
    onWriteError: (error) => deps.log.error({ err: error }, 'registry not saved'),
    onSaved: deps.onSaved,
  });
  return {
    name: 'registry',
    registry,
    async start() {
      await registry.load(await readFleetFiles(deps.fleetDir, isFleetFile));
      registry.startFlushing();
    },
    stop: () => registry.stopFlushing(),
  };
}
