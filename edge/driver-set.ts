import { isDeepStrictEqual } from 'node:util';
import type { DeviceDriver, DriverContext, DriverHealth, GatewayDrivers } from '../shared/driver.ts';
import type { DriverEntry } from '../shared/driver-entry.ts';
import { EdgeConfigError } from './config.ts';
import { combineHealth, type DriverIdentity } from './drivers/health.ts';
import type { DriverRegistry } from './drivers/registry.ts';
import { IsolatedDriver, type IsolationOptions } from './isolated-driver.ts';

/** The drivers one entry built, as the agent runs them. */
interface Slot {
  /** Absent for drivers given in code, which report their own type. */
  entry?: DriverEntry;
  identity?: DriverIdentity;
  drivers: IsolatedDriver[];
}

export interface DriverSetOptions extends IsolationOptions {
  registry: DriverRegistry;
  /** The gateway and its devices, for the factories (which log to `log`). */
  context: Omit<DriverContext, 'name' | 'log'>;
}

const identityOf = (entry: DriverEntry): DriverIdentity => ({
  driver: entry.type,
  ...(entry.name ? { name: entry.name } : {}),
});

/**
 * A gateway's drivers, one slot per entry of its configuration, each driver isolated
 * (IsolatedDriver). `replace` puts new entries in force without a restart: an entry equal to one
 * running keeps its drivers untouched; the others are built (all or none: an entry its factory
 * refuses leaves everything as it was), and the drivers of entries gone are closed.
 */
export class DriverSet {
  private slots: Slot[];
  private readonly options?: DriverSetOptions;
  /** The entries of the configuration file: what a remote configuration without drivers means. */
  private readonly localEntries: readonly DriverEntry[];
  /** What each entry built at start-up: the simulated clock, fault injection. */
  readonly built: GatewayDrivers[];

  private constructor(
    slots: Slot[],
    localEntries: readonly DriverEntry[],
    built: GatewayDrivers[],
    options?: DriverSetOptions,
  ) {
    this.slots = slots;
    this.localEntries = localEntries;
    this.built = built;
    this.options = options;
  }

  /** Drivers given in code (in-process agents, tests): isolated, but no configuration replaces them. */
  static fixed(drivers: readonly DeviceDriver[], options: IsolationOptions): DriverSet {
    const slots = drivers.map((driver) => ({ drivers: [new IsolatedDriver(driver, undefined, options)] }));
    return new DriverSet(slots, [], []);
  }

  /** The drivers of the configuration's entries; an entry its factory refuses is an EdgeConfigError. */
  static fromEntries(entries: readonly DriverEntry[], options: DriverSetOptions): DriverSet {
    const built = entries.map((entry, index) =>
      options.registry.build(entry, index, contextOf(entry, options)),
    );
    const slots = entries.map((entry, index) =>
      DriverSet.slot(entry, built[index] as GatewayDrivers, options),
    );
    return new DriverSet(slots, entries, built, options);
  }

  private static slot(entry: DriverEntry, built: GatewayDrivers, options: IsolationOptions): Slot {
    const identity = identityOf(entry);
    return { entry, identity, drivers: built.drivers.map((d) => new IsolatedDriver(d, identity, options)) };
  }

  get drivers(): readonly IsolatedDriver[] {
    return this.slots.flatMap((s) => s.drivers);
  }

  get deviceCount(): number {
    return this.drivers.reduce((n, d) => n + d.deviceCount, 0);
  }

  /** One health per entry (per driver for fixed drivers), at most 64. */
  health(): DriverHealth[] {
    return this.slots.slice(0, 64).flatMap((slot) => {
      const healths = slot.drivers.map((d) => d.health());
      return slot.identity ? [combineHealth(slot.identity, healths)] : healths;
    });
  }

  /**
   * Puts `entries` in force (the configuration file's when undefined). Resolves when the drivers of
   * the entries that went are closed; throws at once, changing nothing, when an entry is refused.
   */
  replace(entries: readonly DriverEntry[] | undefined): Promise<void> {
    const options = this.options;
    if (!options) {
      if (entries === undefined) return Promise.resolve();
      throw new EdgeConfigError("drivers: this agent's drivers are given in code, not by its configuration", {
        fields: ['drivers'],
      });
    }
    const wanted = entries ?? this.localEntries;
    const unused = [...this.slots];
    const next: (Slot | undefined)[] = wanted.map((entry) => {
      const same = unused.findIndex((slot) => isDeepStrictEqual(slot.entry, entry));
      return same >= 0 ? unused.splice(same, 1)[0] : undefined;
    });
    const fresh: Slot[] = [];
    try {
      for (const [index, entry] of wanted.entries()) {
        if (next[index]) continue;
        const built = options.registry.build(entry, index, contextOf(entry, options));
        const slot = DriverSet.slot(entry, built, options);
        fresh.push(slot);
        next[index] = slot;
      }
    } catch (error) {
      void closeAll(fresh);
      throw error;
    }
    this.slots = next as Slot[];
    if (fresh.length > 0 || unused.length > 0)
      options.log.info(
        { kept: this.slots.length - fresh.length, built: fresh.length, closed: unused.length },
        'drivers replaced',
      );
    return closeAll(unused);
  }

  close(): Promise<void> {
    return closeAll(this.slots);
  }
}

function contextOf(entry: DriverEntry, options: DriverSetOptions): DriverContext {
  return { ...options.context, log: options.log, ...(entry.name ? { name: entry.name } : {}) };
}

async function closeAll(slots: readonly Slot[]): Promise<void> {
  await Promise.all(slots.flatMap((s) => s.drivers.map((d) => d.close())));
}
