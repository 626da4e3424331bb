import type { DriverContext, DriverFactory, GatewayDrivers } from '../../shared/driver.ts';
import { type DriverEntry, describeIssues, EdgeConfigError } from '../config.ts';

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
    return entries.map(({ type, ...settings }, index) => {
      const where = `drivers[${index}] (${type})`;
      const factory = this.factories.get(type);
      if (!factory) {
        const known = [...this.factories.keys()].join(', ') || 'none';
        throw new EdgeConfigError(`${where}: this agent has no driver of that type (it has: ${known})`);
      }
      const parsed = factory.settings.safeParse(settings);
      if (!parsed.success) throw new EdgeConfigError(`${where}: ${describeIssues(parsed.error)}`);
      try {
        return factory.create(parsed.data, context);
      } catch (error) {
        throw new EdgeConfigError(`${where}: ${(error as Error).message}`, { cause: error });
      }
    });
  }
}
