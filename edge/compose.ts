import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DriverContext } from '../shared/driver.ts';
import type { Location } from '../shared/fleet.ts';
import type { UplinkFactory } from '../shared/uplink.ts';
import { EdgeAgent } from './agent.ts';
import { type AgentConfig, type EdgeConfig, EdgeConfigError } from './config.ts';
import { DriverSet } from './driver-set.ts';
import type { DriverRegistry } from './drivers/registry.ts';
import { SqliteOutbox } from './outbox/sqlite-outbox.ts';
import { uplinkSource } from './uplink/sources.ts';

export interface AgentParts extends Omit<DriverContext, 'gatewayId'> {
  config: EdgeConfig;
  registry: DriverRegistry;
  /** The uplink sources the configuration's `uplink` may name, by type. */
  uplinks?: Readonly<Record<string, UplinkFactory>>;
  /** Where the gateway stands (its fleet file entry). */
  location?: Location;
  log: Logger;
}

/** The gateway's durable outbox, in `dataDir/<gatewayId>/`, bounded as `queue` says. */
export function gatewayOutbox(config: AgentConfig): SqliteOutbox {
  return new SqliteOutbox(join(config.dataDir, config.gatewayId, 'outbox.db'), {
    maxItems: config.queue.maxReadings,
    maxAgeMs: config.queue.maxAgeS * 1000,
  });
}

/**
 * An edge agent as a gateway runs it, not started: the drivers its configuration names (built by
 * the registry's factories; the remote configuration can replace them) and its durable outbox in
 * `dataDir/<gatewayId>/`. The device clock and fault injection come from the entries it starts with.
 */
export function composeAgent({
  config,
  devices,
  city,
  registry,
  uplinks = {},
  location,
  log,
}: AgentParts): EdgeAgent {
  const drivers = DriverSet.fromEntries(config.drivers, {
    registry,
    context: { gatewayId: config.gatewayId, devices, city },
    deadlineMs: config.driverDeadlineS * 1000,
    log,
  });
  const built = drivers.built;
  const clocks = built.filter((b) => b.clock);
  if (clocks.length > 1) throw new EdgeConfigError('drivers: only one driver may set the device clock');
  const clock = clocks[0]?.clock;
  return new EdgeAgent({
    config,
    drivers,
    outbox: gatewayOutbox(config),
    log,
    now: clock?.now ?? (() => new Date()),
    speed: clock?.speed,
    random: built.find((b) => b.random)?.random ?? Math.random,
    malformed: built.find((b) => b.malformed)?.malformed,
    outages: built.find((b) => b.outages)?.outages,
    uplink: uplinkSource(config.uplink, uplinks, { gatewayId: config.gatewayId, location, log }),
  });
}
