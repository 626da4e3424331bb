import type { Logger } from 'pino';
import type { UplinkContext, UplinkFactory, UplinkSource } from '../../shared/uplink.ts';
import { describeIssues, type EdgeConfig, EdgeConfigError, fieldPaths } from '../config.ts';

/**
 * The uplink source the configuration's `uplink` entry names, built by the factory registered under
 * its type (`edge/main.ts`: mmcli; the simulated gateway adds `simulated`); none without an entry. An
 * unknown type or invalid settings is an EdgeConfigError naming the fields.
 */
export function uplinkSource(
  entry: EdgeConfig['uplink'],
  factories: Readonly<Record<string, UplinkFactory>>,
  context: UplinkContext & { log: Logger },
): UplinkSource | undefined {
  if (!entry) return undefined;
  const { type, ...settings } = entry;
  const factory = factories[type];
  if (!factory)
    throw new EdgeConfigError(
      `uplink (${type}): this agent has no uplink source of that type (it has: ${Object.keys(factories).join(', ') || 'none'})`,
      { fields: ['uplink.type'] },
    );
  const parsed = factory.settings.safeParse(settings);
  if (!parsed.success)
    throw new EdgeConfigError(`uplink (${type}): ${describeIssues(parsed.error)}`, {
      fields: fieldPaths(parsed.error, ['uplink']),
    });
  return factory.create(parsed.data, context);
}
