import type { Server } from 'node:net';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import type { Logger } from 'pino';
import { gatewayTopic } from '../../shared/topics.ts';
import { keptTopic } from '../dead-letters/intake.ts';
import type { UplinkMessage } from '../ingest/ingest.ts';
import type { CounterSink, Counters } from '../monitoring/counters.ts';
import { canPublish, canSubscribe } from './access.ts';
import type { CredentialStore } from './credential-store.ts';
import type { CredentialsFile } from './credentials.ts';
import { GatewaySessions, remoteAddress } from './gateway-sessions.ts';
import { RateLimiter } from './limits.ts';
import { createListener, type ListenerSpec, listen } from './listeners.ts';
import { loggedId } from './logged-ids.ts';
import { PublishFlow } from './publish-flow.ts';
import { type RefusedPublish, topicBytesProblem, watchRefusals } from './refusals.ts';

export interface BrokerLimits {
  maxPayloadBytes: number;
  connectionsPerMinutePerAddress: number;
  messagesPerSecondPerGateway: number;
  /**
   * QoS 1 messages of one gateway read past while their PUBACKs wait for storage (MQTT_READ_AHEAD):
   * its next messages are decoded and evaluated meanwhile; 0 reads nothing more until they are durable.
   */
  readAhead: number;
}

export interface BrokerOptions {
  credentials: CredentialStore;
  /**
   * Mutual TLS (MQTT_TLS_CA is set): a gateway must present the client certificate pinned in its
   * credential, so the listeners without TLS (plain TCP, WebSocket) let no gateway in.
   */
  certificateRequired: boolean;
  log: Logger;
  counters: Counters;
  limits: BrokerLimits;
  now: () => Date;
  /**
   * Called for every authorised uplink message; aedes writes the QoS 1 PUBACK only after the returned
   * promise resolves (it runs inside authorizePublish). It must not reject for bad input; if it
   * rejects, the message is not acknowledged and the gateway sends it again.
   */
  onUplink(message: UplinkMessage, tenant: string): Promise<void>;
  /** A publish or packet the broker refused (ACL, limit, topic, bytes), kept for inspection. */
  onRefused(message: RefusedPublish): void;
  /** The gateway subscribed to its command topic (it is listening for commands). */
  onGatewayListening(gatewayId: string, tenant: string): void;
  onGatewayGone(gatewayId: string, tenant: string): void;
  /** The gateway acknowledged a message the cloud published to it. */
  onDelivered(topic: string, payload: Buffer, tenant: string): void;
  /**
   * Tenants: whether a tenant's gateways may connect (its status, its gateway quota), how many
   * messages/s all of them may send, and its own counters (what its gateways had refused is counted
   * there too; they add to the installation's).
   */
  tenants: {
    refusal(tenant: string): string | undefined;
    gatewayOverQuota(tenant: string, gatewayId: string, connected: ReadonlySet<string>): string | undefined;
    messagesPerSecond(tenant: string): number;
    counters(tenant: string): CounterSink | undefined;
    /**
     * Whether the tenant's messages may be applied now: its journal is not full or failing, or it
     * refuses what it cannot take at once (cluster mode, whose refusal closes the connection). When
     * not, its messages wait to be applied (RoomWaits), and no gateway of it is read past.
     */
    takesMessages(tenant: string): boolean;
  };
}

/**
 * The embedded MQTT broker (aedes): per-gateway authentication (secret, or the pinned client
 * certificate under mutual TLS; see `GatewaySessions`, which also ends the connections of revoked
 * gateways), a deny-by-default ACL, and limits on packet size, connection rate per address and
 * message rate per gateway. Offenders are refused or disconnected, counted and logged.
 */
export class MqttBroker {
  readonly aedes: Aedes;
  private readonly options: BrokerOptions;
  private readonly gatewayOf = new WeakMap<Client, string>();
  /** The tenant of each connected gateway, from its credential. */
  private readonly tenantOf = new WeakMap<Client, string>();
  private readonly sessions: GatewaySessions;
  private readonly connectionRate: RateLimiter;
  private readonly messageRate: RateLimiter;
  /** What happens to an authorised publish: quota, room in the journal, PUBACK order, read-ahead. */
  private readonly flow: PublishFlow;
  private servers: Server[] = [];

  private constructor(aedes: Aedes, options: BrokerOptions) {
    this.aedes = aedes;
    this.options = options;
    const { limits } = options;
    this.flow = new PublishFlow({
      log: options.log,
      now: options.now,
      readAhead: limits.readAhead,
      messagesPerSecond: (tenant) => options.tenants.messagesPerSecond(tenant),
      takesMessages: (tenant) => options.tenants.takesMessages(tenant),
      onUplink: (message, tenant) => options.onUplink(message, tenant),
      // Not the gateway's fault: the connection this closes does not count against its address.
      onIngestionFailed: (client) => this.connectionRate.give(remoteAddress(client)),
    });
    this.connectionRate = new RateLimiter(
      limits.connectionsPerMinutePerAddress / 60,
      limits.connectionsPerMinutePerAddress,
    );
    this.messageRate = new RateLimiter(
      limits.messagesPerSecondPerGateway,
      limits.messagesPerSecondPerGateway * 2,
    );
    this.sessions = new GatewaySessions({
      credentials: options.credentials,
      certificateRequired: options.certificateRequired,
      log: options.log,
      counters: options.counters,
      tenantRefusal: (tenant) => options.tenants.refusal(tenant),
      gatewayOverQuota: (tenant, gateway, connected) =>
        options.tenants.gatewayOverQuota(tenant, gateway, connected),
      countersOf: (tenant) => options.tenants.counters(tenant),
      onAccepted: (client, session) => {
        this.tenantOf.set(client, session.tenant);
        this.accepted(client, session.gatewayId);
      },
    });
  }

  static async create(options: BrokerOptions): Promise<MqttBroker> {
    let broker: MqttBroker | undefined;
    const hooks: AedesOptions = {
      preConnect: (client, _packet, done) => broker?.preConnect(client, done),
      authenticate: (client, username, password, done) =>
        broker?.sessions.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => broker?.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, subscription, done) => {
        const gatewayId = broker?.gatewayOf.get(client);
        if (gatewayId && canSubscribe(gatewayId, subscription.topic)) return done(null, subscription);
        options.counters.add('mqtt_subscribe_refused');
        // Logged by gateway id and a topic in the layout; anything else the client chose, by size and hash.
        options.log.warn(
          { clientId: broker?.loggedClient(client), topic: keptTopic(subscription.topic) },
          'subscription refused',
        );
        done(null, null);
      },
    };
    const aedes = await Aedes.createBroker(hooks);
    broker = new MqttBroker(aedes, options);
    broker.observe();
    return broker;
  }

  private preConnect(client: Client, done: (error: Error | null, ok: boolean) => void) {
    // What aedes refuses before any hook is counted and dead-lettered like every other refusal.
    const { counters, log, onRefused } = this.options;
    watchRefusals(client, {
      counters,
      log,
      onRefused,
      maxTopicLevels: (this.aedes as unknown as { maxTopicLevels: number }).maxTopicLevels,
      gatewayOf: (c) => this.gatewayOf.get(c),
      tenantOf: (c) => this.tenantOf.get(c),
      address: remoteAddress,
      loggedClient: (c) => this.loggedClient(c),
    });
    this.flow.track(client);
    const address = remoteAddress(client);
    if (this.connectionRate.take(address, this.options.now().getTime())) return done(null, true);
    this.options.counters.add('mqtt_connections_rate_limited');
    this.options.log.warn({ address }, 'MQTT connection refused: too many connections from this address');
    done(new Error('connection rate exceeded'), false);
  }

  private accepted(client: Client, gatewayId: string): void {
    const { counters, log } = this.options;
    // MQTT takeover: a second session with the gateway's id closes the first. Only the holder of
    // the gateway's credential can do it, and it is never silent: both addresses are logged.
    const existing = (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients[
      gatewayId
    ];
    if (existing && existing !== client) {
      counters.add('mqtt_session_takeovers');
      log.warn(
        { gatewayId, address: remoteAddress(client), previousAddress: remoteAddress(existing) },
        'second connection for this gateway: the previous session is closed',
      );
    }
    this.gatewayOf.set(client, gatewayId);
  }

  /**
   * The client as the logs name it: the gateway it was let in as, or its client id if that is a
   * provisioned gateway's, otherwise the id's size and hash (text the client chose).
   */
  loggedClient(client: Client): string {
    return this.gatewayOf.get(client) ?? loggedId(client.id, this.options.credentials.current) ?? '';
  }

  /** A new version of the credentials file: connections it no longer admits are closed. */
  endRevokedSessions(file: CredentialsFile): void {
    this.sessions.endRevoked(file);
  }

  /** The ids of a tenant's gateways connected now. */
  connectedIdsOf(tenant: string): Set<string> {
    return this.sessions.connectedIdsOf(tenant);
  }

  /** A tenant's accepted messages per second, over the last 10 s. */
  messageRateOf(tenant: string): number {
    return this.flow.acceptedRate(tenant);
  }

  /** Closes the connections of a tenant's gateways (it was suspended or deleted). */
  endTenantSessions(tenant: string, why: string): void {
    this.sessions.endTenant(tenant, why);
  }

  private authorizePublish(
    client: Client | null,
    packet: { topic: string; payload: Buffer | string },
    done: (error?: Error | null) => void,
  ) {
    if (!client) return done(null); // the cloud's own publications
    const { log, limits, onRefused, now } = this.options;
    const gatewayId = this.gatewayOf.get(client);
    const tenant = this.tenantOf.get(client);
    // A tenant's refusals are counted as its own (and so the installation's too).
    const counters = (tenant && this.options.tenants.counters(tenant)) || this.options.counters;
    // Not copied: the packet's bytes are the message's own (a view of what the socket read), and
    // nothing writes to them; copying every payload cost ~3 % of the main thread under load.
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const refuse = (reason: string, counter: string, code: RefusedPublish['code'] = 'publish-refused') => {
      counters.add(counter);
      log.warn(
        // A topic outside the layout is text the sender chose: logged by its size and hash.
        { clientId: this.loggedClient(client), topic: keptTopic(packet.topic), bytes: payload.length },
        `publish refused: ${reason}`,
      );
      // The whole payload: the dead letter keeps its size and hash (and its shape up to 1 MiB), not its bytes.
      onRefused({ topic: packet.topic, gatewayId, tenant, payload, reason, code });
      done(new Error(reason)); // aedes disconnects the client
    };
    const topicProblem = topicBytesProblem(packet.topic);
    if (topicProblem) return refuse(topicProblem.reason, 'mqtt_publish_refused', topicProblem.code);
    if (payload.length > limits.maxPayloadBytes) {
      return refuse(
        `payload of ${payload.length} bytes exceeds ${limits.maxPayloadBytes}`,
        'mqtt_publish_too_large',
      );
    }
    if (gatewayId && !this.messageRate.take(gatewayId, now().getTime())) {
      return refuse(
        `more than ${limits.messagesPerSecondPerGateway} messages/s`,
        'mqtt_publish_rate_limited',
      );
    }
    const decision =
      gatewayId && tenant
        ? canPublish(gatewayId, packet.topic)
        : { allowed: false as const, reason: 'unauthenticated' };
    if (!decision.allowed) return refuse(decision.reason, 'mqtt_publish_refused');
    const owner = tenant as string;
    // The tenant's quota paces its gateways: a message over it waits its turn (up to tenantHoldMs,
    // tenant-rates.ts), and only one that would wait longer is refused.
    const overQuota = this.flow.start({
      client,
      tenant: owner,
      counters,
      message: { topic: packet.topic, gatewayId: gatewayId as string, channel: decision.channel, payload },
      done,
    });
    if (overQuota) refuse(overQuota, 'mqtt_publish_tenant_rate_limited');
  }

  /** Subscriptions, disconnects, acknowledgements and takeovers, passed on or logged. */
  private observe(): void {
    const { log, counters } = this.options;
    const aedes = this.aedes;
    aedes.on('clientError', (client, error) =>
      log.debug({ clientId: this.loggedClient(client), err: error }, 'MQTT client error'),
    );
    aedes.on('subscribe', (subscriptions, client) => {
      const gatewayId = this.gatewayOf.get(client);
      const tenant = this.tenantOf.get(client);
      if (gatewayId && tenant && subscriptions.some((s) => s.topic === gatewayTopic(gatewayId, 'commands'))) {
        this.options.onGatewayListening(gatewayId, tenant);
      }
    });
    aedes.on('clientDisconnect', (client) => {
      const gatewayId = this.gatewayOf.get(client);
      const tenant = this.tenantOf.get(client);
      if (gatewayId && tenant) this.options.onGatewayGone(gatewayId, tenant);
    });
    aedes.on('clientReady', (client) => {
      // A second session with the same credentials closes the first one (MQTT takeover): normal for a
      // reconnecting gateway, suspicious when both stay alive. Logged with both addresses.
      const gatewayId = this.gatewayOf.get(client);
      if (!gatewayId) return;
      log.info({ gatewayId, address: remoteAddress(client) }, 'gateway connected');
    });
    aedes.on('ack', (packet, client) => {
      const tenant = client && this.tenantOf.get(client);
      if (tenant && packet && 'topic' in packet && packet.payload)
        this.options.onDelivered(packet.topic, Buffer.from(packet.payload), tenant);
    });
    aedes.on('keepaliveTimeout', (client) => {
      // A held client's PINGREQs are answered (HeldPublishes), unless they could not be read aside
      // (over the bound, or a partial packet at the hold): closing it then is the broker's doing, so
      // its reconnect costs its address nothing.
      if (!this.flow.isHeld(client)) return;
      counters.add('mqtt_closed_while_held');
      this.connectionRate.give(remoteAddress(client));
    });
    aedes.on('connectionError', (_client, error) => {
      counters.add('mqtt_connection_errors');
      log.debug({ err: error }, 'MQTT connection error');
    });
  }

  /** Publishes from the cloud itself (QoS 1). */
  publish(topic: string, payload: string, options: { retain?: boolean } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      this.aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: Buffer.from(payload),
          qos: 1,
          retain: options.retain ?? false,
          dup: false,
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }

  /** Opens a listener; resolves with its bound port. `variable` names the setting in errors. */
  async listen(spec: ListenerSpec, variable: string): Promise<number> {
    const server = createListener(this.aedes, spec, (error, socket) => {
      // A refused TLS handshake: no client certificate, one from another CA, an expired one, not TLS.
      this.options.counters.add('mqtt_tls_handshakes_refused');
      this.options.log.warn(
        {
          address: socket.remoteAddress ?? 'unknown (the connection was already closed)',
          code: (error as NodeJS.ErrnoException).code,
        },
        `MQTT TLS handshake refused: ${(error as { reason?: string }).reason ?? error.message}`,
      );
    });
    const port = await listen(server, spec, variable);
    this.servers.push(server);
    return port;
  }

  async close(): Promise<void> {
    this.flow.close();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
