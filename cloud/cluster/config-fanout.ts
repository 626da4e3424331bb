import { randomUUID } from 'node:crypto';
import { headers, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { parseTopic } from '../../shared/topics.ts';
import type { Counters } from '../monitoring/counters.ts';
import { allGatewaySubjects, gatewayOfSubject, gatewaySubject } from './subjects.ts';

/** Publishes a message to one of a tenant's gateways (the cells' `send`). */
export type SendToGateway = (topic: string, body: object, retain?: boolean) => void;

const originHeader = 'City-Node';

/**
 * Gateway configurations across the nodes, on core NATS. A configuration is published retained on the
 * gateway's config topic by the node where it was set, and that node's broker is only one of several:
 * every node takes it from `<prefix>.<tenant>.<gateway>.config` and keeps it retained in its own
 * broker, so the gateway gets it at once on whichever node holds it now, and finds the latest one on
 * whichever node it connects to next. A node away meanwhile republishes every stored configuration
 * when it starts (gateway-config/feature.ts), from the shared store.
 */
export class ConfigFanOut {
  private readonly options: {
    connection: () => NatsConnection;
    prefix: string;
    log: Logger;
    counters: Counters;
  };
  /** This node, so that it skips its own configurations coming back. */
  private readonly origin = randomUUID();

  constructor(options: ConfigFanOut['options']) {
    this.options = options;
  }

  /** Takes the other nodes' configurations: `retainHere` publishes one retained in this node's broker. */
  takeOthers(retainHere: (tenant: string, gateway: string, body: object) => void): void {
    const { connection, prefix, log, counters } = this.options;
    connection().subscribe(allGatewaySubjects(prefix, 'config'), {
      callback: (error, message) => {
        if (error) return log.warn({ err: error }, 'configuration subscription failed');
        if (message.headers?.get(originHeader) === this.origin) return;
        const target = gatewayOfSubject(prefix, 'config', message.subject);
        let body: unknown;
        try {
          body = JSON.parse(message.string());
        } catch {
          body = undefined;
        }
        if (!target || typeof body !== 'object' || body === null) {
          counters.add('configs_shared_malformed');
          return log.warn(
            { subject: message.subject },
            'configuration from another node is malformed; ignored',
          );
        }
        counters.add('configs_from_other_nodes');
        retainHere(target.tenant, target.gateway, body);
      },
    });
  }

  /** A tenant's `send` that also hands its gateways' configurations to the other nodes. */
  sharing(tenant: string, send: SendToGateway): SendToGateway {
    return (topic, body, retain) => {
      send(topic, body, retain);
      const parsed = parseTopic(topic);
      if (parsed?.channel !== 'config') return;
      const marked = headers();
      marked.set(originHeader, this.origin);
      const subject = gatewaySubject(this.options.prefix, tenant, parsed.gatewayId, 'config');
      try {
        this.options.connection().publish(subject, JSON.stringify(body), { headers: marked });
      } catch (error) {
        this.options.log.error({ err: error, subject }, 'configuration not shared with the other nodes');
      }
    };
  }
}
