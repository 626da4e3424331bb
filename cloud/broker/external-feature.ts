import { readFileSync } from 'node:fs';
import { parseTopic } from '../../shared/topics.ts';
import { ExternalBroker, type ExternalBrokerOptions } from './external-broker.ts';
import type { GatewayOutbound } from './outbound.ts';

export interface ExternalBrokerSettings {
  url: string;
  username?: string;
  password?: string;
  caFile?: string;
  group: string;
  clientId: string;
  connections: number;
  sessionExpirySeconds: number;
}

export type ExternalBrokerFeatureDeps = Omit<
  ExternalBrokerOptions,
  keyof ExternalBrokerSettings | 'ca' | 'retryMs'
> & {
  settings: ExternalBrokerSettings;
  outbound: GatewayOutbound;
  /** Whether a gateway is connected to the embedded broker now (its messages go out there). */
  onEmbedded(gatewayId: string): boolean;
};

/**
 * Ingest from a city's own MQTT broker (see `ExternalBroker`), and publish to the gateways connected
 * there: commands, configurations and notifications go out through it, except to a gateway connected
 * to the embedded broker.
 */
export function externalBrokerFeature(deps: ExternalBrokerFeatureDeps) {
  const { settings, outbound } = deps;
  let external: ExternalBroker | undefined;
  return {
    name: 'external-broker',
    /** The gateways of a tenant online at the external broker. */
    connectedIdsOf: (tenant: string): ReadonlySet<string> => external?.connectedIdsOf(tenant) ?? new Set(),
    async start() {
      let ca: Buffer | undefined;
      if (settings.caFile !== undefined) {
        try {
          ca = readFileSync(settings.caFile);
        } catch (error) {
          throw new Error(`MQTT_EXTERNAL_CA ${settings.caFile}: ${(error as Error).message}`);
        }
      }
      external = new ExternalBroker({ ...deps, ...settings, ca, retryMs: 2_000 });
      await external.start();
      const running = external;
      outbound.attachExternal({
        publish: (topic, payload, options) => running.publish(topic, payload, options),
        reaches: (topic) => {
          const gateway = parseTopic(topic)?.gatewayId;
          return gateway === undefined || !deps.onEmbedded(gateway);
        },
      });
    },
    async stop() {
      outbound.detachExternal();
      await external?.stop();
      external = undefined;
    },
  };
}
