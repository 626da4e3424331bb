import type { Logger } from 'pino';
import { z } from 'zod';
import type { DeadLetterStore } from '../dead-letters/store.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { type Tenant, tenantQuotas } from './schema.ts';

/** What a tenant uses of its quotas, and what they refused since the cloud started. */
export const tenantUsage = z
  .object({
    devices: z.int().min(0).meta({ description: 'Devices its registry holds' }),
    gateways: z
      .int()
      .min(0)
      .meta({ description: 'Gateways in use: those its registry holds, and any other connected now' }),
    messagesPerSecond: z
      .number()
      .min(0)
      .meta({ description: 'MQTT messages/s accepted, over the last 10 s' }),
    deadLetterBytes: z.int().min(0).meta({ unit: 'B' }),
    quotas: tenantQuotas,
    pacedMessages: z.int().min(0).meta({
      description:
        'MQTT publishes over its messages/s that waited their turn (up to 5 s) instead of being refused, since the cloud started',
    }),
    refused: z
      .object({
        devices: z.int().min(0).meta({
          description: 'Fleet-file devices not loaded, and readings or events of devices not learned',
        }),
        gateways: z
          .int()
          .min(0)
          .meta({ description: 'Fleet-file gateways not loaded, and connections refused (CONNACK 5)' }),
        messages: z
          .int()
          .min(0)
          .meta({ description: 'MQTT publishes over its messages/s that would have waited more than 5 s' }),
        deadLetters: z.int().min(0).meta({ description: 'Dead letters dropped over a dead-letter quota' }),
        deadLetterBytes: z.int().min(0).meta({ unit: 'B', description: 'The bytes of those letters' }),
      })
      .meta({ description: 'Counted since the cloud started' }),
  })
  .meta({ id: 'TenantUsage' });
export type TenantUsage = z.infer<typeof tenantUsage>;

/** The gateways a tenant uses: those its registry holds, and those connected that it does not hold. */
export function gatewaysInUse(
  held: { has(id: string): boolean; count: number },
  connected: ReadonlySet<string>,
): number {
  let others = 0;
  for (const id of connected) if (!held.has(id)) others++;
  return held.count + others;
}

/**
 * Why a gateway may not connect for its tenant's gateway quota, or undefined if it may. A gateway the
 * registry holds (a fleet file's within the quota, or one heard from before) or one connected already
 * (a reconnect taking over its session) always may; another one only while the gateways in use are
 * fewer than the quota.
 */
export function gatewayOverQuota(input: {
  tenant: string;
  gatewayId: string;
  quota: number;
  held: { has(id: string): boolean; count: number };
  connected: ReadonlySet<string>;
}): string | undefined {
  const { tenant, gatewayId, quota, held, connected } = input;
  if (held.has(gatewayId) || connected.has(gatewayId)) return undefined;
  const inUse = gatewaysInUse(held, connected);
  if (inUse < quota) return undefined;
  return `tenant ${tenant} is at its quota of ${quota} gateways (${inUse} in use)`;
}

export interface QuotaGuardDeps {
  tenant: () => Tenant;
  registry: DeviceRegistry;
  deadLetters: Pick<DeadLetterStore, 'usage'>;
  /** The tenant's own counters. */
  counters: Counters;
  /** Its gateways connected now, and its accepted MQTT messages per second (the broker's). */
  mqtt: { connectedGateways(): ReadonlySet<string>; messagesPerSecond(): number };
  log: Logger;
}

/**
 * A running tenant's quotas of devices and gateways as the platform asks about them: whether a
 * gateway may connect, what to do when region staff change them, and the usage.
 */
export function quotaGuard(deps: QuotaGuardDeps) {
  const { registry, counters, mqtt } = deps;
  const held = {
    has: (id: string) => registry.getGateway(id) !== undefined,
    get count() {
      return registry.gatewayCount;
    },
  };
  return {
    gatewayOverQuota(gatewayId: string, connected: ReadonlySet<string>): string | undefined {
      const { id, quotas } = deps.tenant();
      return gatewayOverQuota({ tenant: id, gatewayId, quota: quotas.gateways, held, connected });
    },
    /** Its quotas changed: fleet-file devices and gateways a raised quota makes room for are admitted. */
    async quotasChanged(): Promise<void> {
      const admitted = await registry.admitWaiting();
      if (admitted.devices + admitted.gateways > 0)
        deps.log.info(admitted, 'quota raised: fleet-file devices and gateways admitted');
    },
    async usage(): Promise<TenantUsage> {
      const letters = await deps.deadLetters.usage();
      return {
        devices: registry.size,
        gateways: gatewaysInUse(held, mqtt.connectedGateways()),
        messagesPerSecond: mqtt.messagesPerSecond(),
        deadLetterBytes: letters.reduce((sum, usage) => sum + usage.bytes, 0),
        quotas: deps.tenant().quotas,
        pacedMessages: counters.get('mqtt_publish_tenant_rate_held'),
        refused: {
          devices: counters.get('devices_over_quota'),
          gateways: counters.get('gateways_over_quota'),
          messages: counters.get('mqtt_publish_tenant_rate_limited'),
          deadLetters: counters.get('dead_letters_dropped'),
          deadLetterBytes: counters.get('dead_letter_bytes_dropped'),
        },
      };
    },
  };
}
export type QuotaGuard = ReturnType<typeof quotaGuard>;
