import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import { type BrokerLimits, type BrokerOptions, MqttBroker } from './broker.ts';
import { CredentialStore } from './credential-store.ts';
import { credentialOf } from './credentials.ts';
import type { ListenerSpec } from './listeners.ts';
import type { GatewayOutbound } from './outbound.ts';

export interface BrokerFeatureDeps {
  credentialsFile: string;
  /** Mutual TLS is configured: gateways connect only with their pinned client certificate. */
  certificateRequired: boolean;
  limits: BrokerLimits;
  log: Logger;
  counters: Counters;
  now: () => Date;
  outbound: GatewayOutbound;
  /** Refused publishes, kept as dead letters of the tenant they came from. */
  onRefused: BrokerOptions['onRefused'];
  onUplink: BrokerOptions['onUplink'];
  /** What the gateways do with the cloud's command topic and messages (the commands feature). */
  gateways: Pick<BrokerOptions, 'onGatewayListening' | 'onGatewayGone' | 'onDelivered'>;
  tenants: BrokerOptions['tenants'];
}

/** The embedded MQTT broker, without listeners (see `mqttListenersFeature`). */
export function brokerFeature(deps: BrokerFeatureDeps) {
  let broker: MqttBroker | undefined;
  const credentials = new CredentialStore(deps.credentialsFile, { log: deps.log, counters: deps.counters });
  const running = () => {
    if (!broker) throw new Error('the MQTT broker is not started');
    return broker;
  };
  return {
    name: 'broker',
    get broker(): MqttBroker {
      return running();
    },
    /** The tenant a gateway's credential gives it to (undefined: no credential). */
    tenantOf: (gateway: string) => credentialOf(credentials.current, gateway)?.tenant,
    /** As `tenantOf`, reading the file again when it names no such gateway (it may have just been provisioned). */
    tenantOfNow: async (gateway: string): Promise<string | undefined> =>
      credentialOf(credentials.current, gateway)?.tenant ?? (await credentials.credential(gateway))?.tenant,
    connectedClients: () => running().aedes.connectedClients,
    /** The ids of a tenant's gateways connected now. */
    connectedIdsOf: (tenant: string): ReadonlySet<string> => broker?.connectedIdsOf(tenant) ?? new Set(),
    /** A tenant's accepted messages per second, over the last 10 s. */
    messageRateOf: (tenant: string) => (broker ? broker.messageRateOf(tenant) : 0),
    /** Closes the connections of a tenant's gateways (suspended or deleted). */
    endTenantSessions: (tenant: string, why: string) => broker?.endTenantSessions(tenant, why),
    async start() {
      // Revoking or rotating a credential (another process rewrites the file) ends its connections.
      await credentials.start((file) => broker?.endRevokedSessions(file));
      broker = await MqttBroker.create({
        credentials,
        certificateRequired: deps.certificateRequired,
        log: deps.log,
        counters: deps.counters,
        now: deps.now,
        limits: deps.limits,
        onUplink: deps.onUplink,
        onRefused: deps.onRefused,
        onGatewayListening: deps.gateways.onGatewayListening,
        onGatewayGone: deps.gateways.onGatewayGone,
        onDelivered: deps.gateways.onDelivered,
        tenants: deps.tenants,
      });
      deps.outbound.attach(broker);
    },
    async stop() {
      credentials.stop();
      deps.outbound.detach();
      await running().close();
    },
  };
}

/** One listener, with the setting that names its port in errors and the key of its port in `ports`. */
export interface NamedListener {
  name: string;
  variable: string;
  spec: ListenerSpec;
}

/** Opens the broker's listeners (MQTT, and MQTT over TLS and WebSocket when configured); the broker closes them. */
export function mqttListenersFeature(deps: { broker: MqttBroker; listeners: NamedListener[] }) {
  const ports: Record<string, number> = {};
  return {
    name: 'mqtt listeners',
    /** Each listener's bound port, by name. */
    ports,
    async start() {
      for (const { name, variable, spec } of deps.listeners)
        ports[name] = await deps.broker.listen(spec, variable);
    },
  };
}
