import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { City } from '../../shared/fleet.ts';
import { readFleetFiles } from '../../shared/fleet-files.ts';
import { DeviceRegistry } from './registry.ts';
import { SqliteRegistryStore } from './sqlite-store.ts';

export interface RegistryFeatureDeps {
  db: DatabaseSync;
  /** The fleet files' folder, read at start. */
  fleetDir: string;
  offlineAfterMs: number;
  /** LEARN_UNPROVISIONED_DEVICES. */
  learnUnprovisioned: boolean;
  /** The tenant's city (name, time zone, location), which the fleet files' cities give way to. */
  city?: () => City;
  now: () => Date;
  log: Logger;
}

/** The device registry: loaded from the fleet files at start, flushed to the database while it runs. */
export function registryFeature(deps: RegistryFeatureDeps) {
  const registry = new DeviceRegistry({
    store: new SqliteRegistryStore(deps.db),
    now: deps.now,
    offlineAfterMs: deps.offlineAfterMs,
    learnUnprovisioned: deps.learnUnprovisioned,
    city: deps.city,
    onWriteError: (error) => deps.log.error({ err: error }, 'registry not saved'),
  });
  return {
    name: 'registry',
    registry,
    async start() {
      await registry.load(await readFleetFiles(deps.fleetDir));
      registry.startFlushing();
    },
    stop: () => registry.stopFlushing(),
  };
}
