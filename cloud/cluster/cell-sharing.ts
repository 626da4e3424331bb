import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { z } from 'zod';
import { alert, alertChangeKind } from '../alerts/schema.ts';
import { commandRecord } from '../commands/store.ts';
import type { Feature } from '../lifecycle/features.ts';
import type { EventBus, LiveEvents } from '../live/events.ts';
import type { CounterSink } from '../monitoring/counters.ts';
import { deviceSeen, type RegistrySaves } from '../registry/saved-elsewhere.ts';
import { deviceRecord, gatewayRecord } from '../registry/store.ts';
import { tenantSharedSubject } from './subjects.ts';
import { TenantFanOut } from './tenant-fanout.ts';

/** How long what a node shares waits to go out with what follows it. */
const tickMs = 100;

/** The live events that cross the nodes; a device's map state does not: each node derives it. */
const liveItem = z.discriminatedUnion('event', [
  z.object({ event: z.literal('alert'), data: z.object({ transition: alertChangeKind, alert }) }),
  z.object({ event: z.literal('command'), data: commandRecord }),
]);
type LiveItem = z.infer<typeof liveItem>;

/** The most frequent first: a union tries its options in order (half the time per item, measured). */
const registryItem = z.union([
  z.object({ seen: deviceSeen }),
  z.object({ gateway: gatewayRecord }),
  z.object({ device: deviceRecord }),
]);
type RegistryItem = z.infer<typeof registryItem>;

export interface CellSharingOptions {
  connection: () => NatsConnection;
  /** NATS_GATEWAY_SUBJECT_PREFIX. */
  prefix: string;
  tenant: string;
  /** This node. */
  origin: string;
  log: Logger;
  counters: CounterSink;
}

/**
 * What a tenant's cell shares with the same tenant's cell on every other node (cluster mode), so that
 * an operator sees the whole tenant through whichever node the console reaches:
 * - its live events: alert changes (raised by the rules where the device's readings arrive, or
 *   acknowledged through any node's API) and command changes (made where the gateway is connected),
 *   emitted on every other node's live bus as if they were its own, so its `/api/v1/events` streams,
 *   the region's, and its devices' map states follow them;
 * - its registry's saves (devices learned or admitted; for a device heard from, only its last-seen
 *   time and latest values; gateways' state, health and configuration status), taken into every other
 *   node's registry in memory, so that its API, its map and its connectivity sweep see devices held
 *   elsewhere.
 * Each goes out at most every 100 ms per tenant as one message (`<prefix>.<tenant>.live`, `.registry`),
 * not one per reading: a device heard from many times within a registry flush is told once.
 */
export function cellSharing(options: CellSharingOptions) {
  const common = { ...options, tickMs };
  const live = new TenantFanOut<LiveItem>({
    ...common,
    subject: tenantSharedSubject(options.prefix, options.tenant, 'live'),
    item: liveItem,
    name: 'live_events',
  });
  const registry = new TenantFanOut<RegistryItem>({
    ...common,
    subject: tenantSharedSubject(options.prefix, options.tenant, 'registry'),
    item: registryItem,
    name: 'registry_saves',
  });
  return {
    /** The registry's `onSaved`: what it saves goes to the other nodes. */
    registrySaved(saved: RegistrySaves): void {
      for (const device of saved.devices) registry.send({ device });
      for (const { id, firstSeen, lastSeen, latest, latestTs } of saved.seen)
        registry.send({ seen: { id, firstSeen, lastSeen, latest, latestTs } });
      for (const gateway of saved.gateways) registry.send({ gateway });
    },
    /** The cell's registry and live bus joined to the other nodes': started once both run. */
    joining(parts: {
      registry: { takeSaved(saved: RegistrySaves): void };
      bus: EventBus<LiveEvents>;
    }): Feature {
      const { bus } = parts;
      /** Set while emitting another node's event: it is not sent back out. */
      let fromOthers = false;
      const offs: (() => void)[] = [];
      return {
        name: 'cluster-sharing',
        async start() {
          offs.push(
            bus.on('alert', (data) => fromOthers || live.send({ event: 'alert', data })),
            bus.on('command', (data) => fromOthers || live.send({ event: 'command', data })),
          );
          await live.take((items) => {
            fromOthers = true;
            for (const item of items)
              if (item.event === 'alert') bus.emit('alert', item.data);
              else bus.emit('command', item.data);
            fromOthers = false;
          });
          await registry.take((items) =>
            parts.registry.takeSaved({
              devices: items.flatMap((item) => ('device' in item ? [item.device] : [])),
              seen: items.flatMap((item) => ('seen' in item ? [item.seen] : [])),
              gateways: items.flatMap((item) => ('gateway' in item ? [item.gateway] : [])),
            }),
          );
        },
        stop() {
          for (const off of offs.splice(0)) off();
          live.stop();
          registry.stop();
        },
      };
    },
  };
}

export type CellSharing = ReturnType<typeof cellSharing>;
