import { createServer, type Server } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { gatewayTopic } from '../../shared/topics.ts';
import type { UplinkMessage } from '../ingest/ingest.ts';
import type { Counters } from '../ingest/stats.ts';
import { canPublish, canSubscribe } from './access.ts';
import type { CredentialStore } from './credentials.ts';

export interface BrokerOptions {
  credentials: CredentialStore;
  log: Logger;
  counters: Counters;
  /**
   * Called for every authorised uplink message; aedes writes the QoS 1 PUBACK only after the returned
   * promise resolves (it runs inside authorizePublish). It must not reject for bad input; if it
   * rejects, the message is not acknowledged and the gateway sends it again.
   */
  onUplink(message: UplinkMessage): Promise<void>;
  /** A publish refused by the ACL, kept for inspection. */
  onRefused(message: { topic: string; gatewayId?: string; payload: Buffer; reason: string }): void;
  /** The gateway subscribed to its command topic (it is listening for commands). */
  onGatewayListening(gatewayId: string): void;
  onGatewayGone(gatewayId: string): void;
  /** The gateway acknowledged a message the cloud published to it. */
  onDelivered(topic: string, payload: Buffer): void;
}

function authError(message: string, returnCode: 2 | 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/** The embedded MQTT broker (aedes) with per-gateway authentication and a deny-by-default ACL. */
export class MqttBroker {
  readonly aedes: Aedes;
  private readonly server: Server;
  private readonly gatewayOf = new WeakMap<Client, string>();

  private constructor(aedes: Aedes) {
    this.aedes = aedes;
    this.server = createServer(aedes.handle);
  }

  static async create(options: BrokerOptions): Promise<MqttBroker> {
    const { credentials, log, counters, onUplink, onRefused } = options;
    let broker: MqttBroker | undefined;
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const refuse = (why: string, code: 2 | 4 | 5) => {
          counters.add('mqtt_auth_refused');
          log.warn({ clientId: client.id, username }, `MQTT connection refused: ${why}`);
          done(authError(why, code), false);
        };
        if (!username || !password) return refuse('username and password are required', 4);
        if (client.id !== username) return refuse('client id must equal the gateway id', 2);
        credentials.verify(username, password.toString('utf8')).then(
          (ok) => {
            if (!ok) return refuse('bad gateway credentials', 4);
            broker?.gatewayOf.set(client, username);
            done(null, true);
          },
          (error: Error) => {
            log.error({ err: error, username }, 'credential check failed');
            done(authError('credential store unavailable', 5), false);
          },
        );
      },
      authorizePublish: (client, packet, callback) => {
        if (!client) return callback(null); // the cloud's own publications
        const gatewayId = broker?.gatewayOf.get(client);
        const decision = gatewayId
          ? canPublish(gatewayId, packet.topic)
          : { allowed: false as const, reason: 'unauthenticated' };
        const payload = Buffer.from(packet.payload);
        if (!decision.allowed) {
          counters.add('mqtt_publish_refused');
          log.warn({ clientId: client.id, topic: packet.topic }, `publish refused: ${decision.reason}`);
          onRefused({ topic: packet.topic, gatewayId, payload, reason: decision.reason });
          return callback(new Error(decision.reason));
        }
        // The PUBACK waits for this promise: it resolves once what was accepted is durable.
        onUplink({
          topic: packet.topic,
          gatewayId: gatewayId as string,
          channel: decision.channel,
          payload,
        }).then(
          () => callback(null),
          (error: Error) => {
            log.error({ err: error, topic: packet.topic }, 'ingestion failed; message not acknowledged');
            callback(error);
          },
        );
      },
      authorizeSubscribe: (client, subscription, callback) => {
        const gatewayId = broker?.gatewayOf.get(client);
        if (gatewayId && canSubscribe(gatewayId, subscription.topic)) return callback(null, subscription);
        counters.add('mqtt_subscribe_refused');
        log.warn({ clientId: client.id, topic: subscription.topic }, 'subscription refused');
        callback(null, null);
      },
    });
    aedes.on('clientError', (client, error) =>
      log.debug({ clientId: client.id, err: error }, 'MQTT client error'),
    );
    aedes.on('subscribe', (subscriptions, client) => {
      const gatewayId = broker?.gatewayOf.get(client);
      if (gatewayId && subscriptions.some((s) => s.topic === gatewayTopic(gatewayId, 'commands'))) {
        options.onGatewayListening(gatewayId);
      }
    });
    aedes.on('clientDisconnect', (client) => {
      const gatewayId = broker?.gatewayOf.get(client);
      if (gatewayId) options.onGatewayGone(gatewayId);
    });
    aedes.on('ack', (packet) => {
      if (packet && 'topic' in packet && packet.payload)
        options.onDelivered(packet.topic, Buffer.from(packet.payload));
    });
    broker = new MqttBroker(aedes);
    return broker;
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

  /** Listens on TCP; resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`MQTT port ${host}:${port} is already in use; set MQTT_PORT to a free port`)
            : error,
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
