import { once } from 'node:events';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { gatewayStatus } from '../../shared/messages.ts';
import { isUplink, parseTopic, topicRoot, uplinkChannels } from '../../shared/topics.ts';
import type { UplinkMessage } from '../ingest/ingest.ts';
import type { CounterSink } from '../monitoring/counters.ts';
import type { RefusedPublish } from './refusals.ts';

/** MQTT 5 PUBACK reason codes the bridge answers with. */
const notAuthorized = 0x87;
const topicNameInvalid = 0x90;

export interface ExternalBrokerOptions {
  url: string;
  username?: string;
  password?: string;
  /** PEM of the CA that signed the broker's certificate (mqtts://), when it is not a public one. */
  ca?: Buffer;
  /** The MQTT 5 shared-subscription group every node of the platform joins. */
  group: string;
  /** This node's client id prefix; each connection adds `-<n>`. Stable across restarts: the session is kept. */
  clientId: string;
  /** Subscriber connections in the group from this node (each takes messages one at a time). */
  connections: number;
  /** How long the broker keeps this node's session (and queues for it) while it is away. */
  sessionExpirySeconds: number;
  /** The tenant a gateway belongs to, from its credential (undefined: not one of ours). */
  tenantOf(gatewayId: string): Promise<string | undefined>;
  /** Why a tenant's gateways are refused now (suspended, not running), if they are. */
  refusal(tenant: string): string | undefined;
  /** Resolves once what the message carried is durable; rejects when storage cannot make it so. */
  onUplink(message: UplinkMessage, tenant: string): Promise<void>;
  onRefused(message: RefusedPublish): void;
  onGatewayListening(gatewayId: string, tenant: string): void;
  onGatewayGone(gatewayId: string, tenant: string): void;
  /** How long to stay away after a storage failure before the broker sends the message again. */
  retryMs: number;
  log: Logger;
  counters: CounterSink;
}

/** The subscriptions: uplinks shared across the group, and every gateway's status on each node. */
export function externalSubscriptions(group: string): { shared: string[]; own: string[] } {
  const shared = uplinkChannels
    .filter((channel) => channel !== 'status')
    .map((channel) => `$share/${group}/${topicRoot}/+/${channel}`);
  // Presence: each node must know every gateway's state (it sends their commands), and a shared
  // subscription gets no retained messages (MQTT 5, 4.8.2), so status is subscribed by every node.
  return { shared, own: [`${topicRoot}/+/status`] };
}

/**
 * Ingest through a city's own MQTT broker (Mosquitto, EMQX, HiveMQ...) instead of the embedded one:
 * the platform joins an MQTT 5 shared subscription, so the broker spreads the gateways' messages over
 * the platform's connections and nodes. A message is acknowledged (PUBACK to the broker) only once
 * ingestion made it durable; when storage fails the connection is dropped without acknowledging, and
 * the broker sends the message again when the node reconnects to its persistent session.
 * docs/scale-out.md says plainly what this mode does and does not guarantee.
 */
export class ExternalBroker {
  private readonly options: ExternalBrokerOptions;
  private readonly clients: MqttClient[] = [];
  /** Gateways whose last status said online, by tenant. */
  private readonly online = new Map<string, Set<string>>();
  private stopping = false;

  constructor(options: ExternalBrokerOptions) {
    this.options = options;
  }

  /** Connects every subscriber connection; rejects (naming the broker) if the first cannot connect. */
  async start(): Promise<void> {
    const { connections, group } = this.options;
    const { shared, own } = externalSubscriptions(group);
    for (let n = 0; n < connections; n++) {
      const topics = n === 0 ? [...shared, ...own] : shared;
      this.clients.push(await this.connect(n, topics));
    }
  }

  /** Publishes to a gateway through the external broker, at QoS 1. */
  async publish(topic: string, payload: string, options: { retain?: boolean } = {}): Promise<void> {
    const client = this.clients[0];
    if (!client?.connected)
      throw new Error(`external MQTT broker not connected: nothing published on ${topic}`);
    await client.publishAsync(topic, payload, { qos: 1, retain: options.retain ?? false });
  }

  /** Gateways of a tenant whose status says they are online. */
  connectedIdsOf(tenant: string): ReadonlySet<string> {
    return this.online.get(tenant) ?? new Set();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.clients.map((client) => client.endAsync()));
    this.clients.length = 0;
  }

  private async connect(n: number, topics: string[]): Promise<MqttClient> {
    const { url, username, password, ca, clientId, sessionExpirySeconds, log } = this.options;
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId: `${clientId}-${n}`,
      username,
      password,
      ca,
      clean: false,
      properties: { sessionExpiryInterval: sessionExpirySeconds },
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      customHandleAcks: (topic, payload, _packet, done) => this.received(client, topic, payload, done),
    };
    const client = connect(url, options);
    client.on('error', (error) => log.warn({ err: error, connection: n }, 'external MQTT broker error'));
    client.on('offline', () => log.warn({ connection: n }, 'external MQTT broker unreachable; reconnecting'));
    let first = true;
    client.on('connect', (connack) => {
      log.info(
        { connection: n, sessionPresent: connack.sessionPresent },
        'connected to the external MQTT broker',
      );
      // A session the broker forgot (expired, or a broker without persistence) needs its subscriptions again.
      if (!first && !connack.sessionPresent) void this.subscribe(client, topics);
      first = false;
    });
    const settled = new AbortController();
    try {
      await Promise.race([
        once(client as unknown as NodeJS.EventEmitter, 'connect', { signal: settled.signal }),
        once(client as unknown as NodeJS.EventEmitter, 'error', { signal: settled.signal }).then(
          ([error]: Error[]) => {
            throw error;
          },
        ),
      ]);
    } catch (error) {
      client.end(true);
      throw new Error(`external MQTT broker ${redacted(url)}: ${(error as Error).message}`);
    } finally {
      settled.abort();
    }
    await this.subscribe(client, topics);
    return client;
  }

  private async subscribe(client: MqttClient, topics: string[]): Promise<void> {
    const granted = await client.subscribeAsync(topics, { qos: 1 });
    const refused = granted.filter((grant) => grant.qos !== 1);
    if (refused.length > 0)
      this.options.log.error(
        { topics: refused.map((grant) => grant.topic), codes: refused.map((grant) => grant.qos) },
        'the external MQTT broker refused subscriptions at QoS 1 (does it allow shared subscriptions and this user?)',
      );
  }

  /** One message; `done` sends the PUBACK (with a reason code), and the next message waits for it. */
  private received(
    client: MqttClient,
    topic: string,
    payload: Buffer,
    done: (error: Error | number, code?: number) => void,
  ): void {
    const { counters, log } = this.options;
    counters.add('external_mqtt_received');
    const parsed = parseTopic(topic);
    const refuse = (reason: string, code: number, tenant?: string) => {
      counters.add('external_mqtt_refused');
      this.options.onRefused({
        topic,
        gatewayId: parsed?.gatewayId,
        tenant,
        payload,
        reason,
        code: 'publish-refused',
      });
      done(code);
    };
    if (!parsed || !isUplink(parsed.channel)) {
      refuse('not an uplink topic of the layout', topicNameInvalid);
      return;
    }
    const { gatewayId, channel } = parsed;
    const ingest = async (tenant: string | undefined): Promise<void> => {
      if (tenant === undefined) return refuse(`gateway ${gatewayId} has no credential`, notAuthorized);
      const refusal = this.options.refusal(tenant);
      if (refusal !== undefined)
        return refuse(`gateway ${gatewayId} refused: ${refusal}`, notAuthorized, tenant);
      if (channel === 'status') this.presence(gatewayId, tenant, payload);
      await this.options.onUplink({ topic, gatewayId, channel, payload }, tenant);
      done(0);
    };
    this.options
      .tenantOf(gatewayId)
      .then(ingest)
      .catch((error: Error) => {
        counters.add('external_mqtt_not_acknowledged');
        log.error({ err: error, topic }, 'ingestion failed; message not acknowledged, reconnecting later');
        this.awayAfterFailure(client);
      });
  }

  /**
   * Storage could not make the message durable. MQTT 5 forbids sending it again on the same
   * connection, so the connection closes without its PUBACK, and after `retryMs` the node returns to
   * its persistent session: the broker then sends what was not acknowledged again.
   */
  private awayAfterFailure(client: MqttClient): void {
    client.end(true, undefined, () => {
      if (this.stopping) return;
      setTimeout(() => {
        if (!this.stopping) client.reconnect();
      }, this.options.retryMs).unref();
    });
  }

  private presence(gatewayId: string, tenant: string, payload: Buffer): void {
    let state: string | undefined;
    try {
      state = gatewayStatus.safeParse(JSON.parse(payload.toString('utf8'))).data?.state;
    } catch {
      return; // the ingestor keeps it as a dead letter
    }
    const online = this.online.get(tenant) ?? new Set<string>();
    this.online.set(tenant, online);
    if (state === 'online' && !online.has(gatewayId)) {
      online.add(gatewayId);
      this.options.onGatewayListening(gatewayId, tenant);
    } else if (state === 'offline' && online.delete(gatewayId)) {
      this.options.onGatewayGone(gatewayId, tenant);
    }
  }
}

/** A broker URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}
