import type { Logger } from 'pino';
import type { MqttBroker } from './broker.ts';

/**
 * The cloud's messages to gateways (commands, configurations, MQTT notifications). Features that
 * publish are built before the broker and hold this; the broker feature attaches the broker when it
 * starts and detaches it when it stops. Without a broker a publish fails.
 */
/** A second way out: a city's own broker (external-broker.ts), for the topics it `reaches`. */
export interface ExternalRoute {
  publish: MqttBroker['publish'];
  /** Whether a topic goes out through this route rather than the embedded broker. */
  reaches(topic: string): boolean;
}

export class GatewayOutbound {
  private readonly log: Logger;
  private broker?: Pick<MqttBroker, 'publish'>;
  private external?: ExternalRoute;

  constructor(log: Logger) {
    this.log = log;
  }

  attach(broker: Pick<MqttBroker, 'publish'>): void {
    this.broker = broker;
  }

  detach(): void {
    this.broker = undefined;
  }

  attachExternal(route: ExternalRoute): void {
    this.external = route;
  }

  detachExternal(): void {
    this.external = undefined;
  }

  /** Publishes at QoS 1; resolves once the broker has taken the message. */
  publish(topic: string, payload: string, options: { retain?: boolean } = {}): Promise<void> {
    if (this.external?.reaches(topic)) return this.external.publish(topic, payload, options);
    if (!this.broker)
      return Promise.reject(new Error(`MQTT broker not running: nothing published on ${topic}`));
    return this.broker.publish(topic, payload, options);
  }

  /** Publishes a message as JSON; a failure is logged, never thrown (the caller goes on). */
  send(topic: string, body: object, retain = false): void {
    this.publish(topic, JSON.stringify(body), { retain }).catch((error: Error) => {
      this.log.error({ err: error, topic }, 'publish to gateway failed');
    });
  }
}
