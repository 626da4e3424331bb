import type { DriverContext, DriverFactory, GatewayDrivers } from '../../shared/driver.ts';
import type { DriverEntry } from '../../shared/driver-entry.ts';
import { describeIssues, EdgeConfigError, fieldPath, fieldPaths } from '../config.ts';

/**
 * The driver factories an agent has, by type. The entry point registers them (`edge/main.ts` the
 * real ones, the simulated gateway's entry point the simulated one); the configuration picks.
 */
export class DriverRegistry {
  private readonly factories: ReadonlyMap<string, DriverFactory>;

  constructor(factories: Record<string, DriverFactory>) {
    this.factories = new Map(Object.entries(factories));
  }

  /** Builds the drivers of every entry, checking each entry's settings against its factory. */
  create(entries: readonly DriverEntry[], context: DriverContext): GatewayDrivers[] {
    return entries.map((entry, index) => this.build(entry, index, context));
  }

  /**
   * Builds the drivers of the entry at `index` of `drivers`. An unknown type, invalid settings or a
   * factory's refusal is an EdgeConfigError naming the entry, with the fields at fault.
   */
  build({ type, name, ...settings }: DriverEntry, index: number, context: DriverContext): GatewayDrivers {
    const where = `drivers[${index}] (${type})`;
    const factory = this.factories.get(type);
    if (!factory) {
      const known = [...this.factories.keys()].join(', ') || 'none';
      throw new EdgeConfigError(`${where}: this agent has no driver of that type (it has: ${known})`, {
        fields: [fieldPath(['drivers', index, 'type'])],
      });
    }
    const parsed = factory.settings.safeParse(settings);
    if (!parsed.success)
      throw new EdgeConfigError(`${where}: ${describeIssues(parsed.error)}`, {
        fields: fieldPaths(parsed.error, ['drivers', index]),
      });
    try {
      return factory.create(parsed.data, { ...context, ...(name ? { name } : {}) });
    } catch (error) {
      throw new EdgeConfigError(`${where}: ${(error as Error).message}`, {
        cause: error,
        fields: [fieldPath(['drivers', index])],
      });
    }
  }
}
