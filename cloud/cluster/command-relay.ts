import { ErrorCode, type NatsConnection, type NatsError, type Subscription } from 'nats';
import type { Logger } from 'pino';
import { type CommandRecord, commandRecord } from '../commands/store.ts';
import type { Counters } from '../monitoring/counters.ts';
import { gatewaySubject } from './subjects.ts';

/** Sends a command forwarded from another node to a gateway connected here; resolves whether it did. */
export type SendHere = (record: CommandRecord) => Promise<boolean>;

const taken = '1';
const notHere = '0';

/**
 * Commands across the nodes of a cluster, on core NATS (no stream: the command itself is in the shared
 * command store). The node whose broker holds a gateway's MQTT connection subscribes to the gateway's
 * subject while the gateway listens; a node that created a command for a gateway it does not hold
 * sends the command there as a request, and the holder publishes it to the gateway and answers.
 * No answer (no subscriber anywhere, or a timeout) leaves the command pending in the store, for the
 * node the gateway connects to next.
 */
export class CommandRelay {
  private readonly options: {
    connection: () => NatsConnection;
    prefix: string;
    timeoutMs: number;
    log: Logger;
    counters: Counters;
  };
  private readonly held = new Map<string, { subscription: Subscription; catchUp?: () => void }>();
  private watching?: NatsConnection;

  constructor(options: CommandRelay['options']) {
    this.options = options;
  }

  /**
   * Takes the gateway's commands from other nodes, to `sendHere`. Resolves once NATS has the
   * subscription, so that a command created anywhere after that is either forwarded here or already in
   * the store when the node reads the gateway's waiting commands. `catchUp` is called whenever the
   * connection to NATS comes back: commands created meanwhile could not be forwarded, and wait in the
   * store for it to read.
   */
  async hold(tenant: string, gateway: string, sendHere: SendHere, catchUp?: () => void): Promise<void> {
    const subject = gatewaySubject(this.options.prefix, tenant, gateway, 'commands');
    if (this.held.has(subject)) return;
    const { log, counters } = this.options;
    const connection = this.options.connection();
    this.watch(connection);
    const subscription = connection.subscribe(subject, {
      callback: (error, message) => {
        if (error) return log.warn({ err: error, subject }, 'command subscription failed');
        const record = forwardedCommand(message.string(), gateway);
        if (!record) {
          counters.add('commands_forwarded_malformed');
          log.warn({ subject }, 'forwarded command is not one for this gateway; ignored');
          return void message.respond(notHere);
        }
        sendHere(record).then(
          (sent) => message.respond(sent ? taken : notHere),
          (failure: Error) => {
            log.error({ err: failure, commandId: record.id, gateway }, 'forwarded command not sent');
            message.respond(notHere);
          },
        );
      },
    });
    this.held.set(subject, { subscription, catchUp });
    await connection.flush();
  }

  /** Calls the held gateways' `catchUp` after every reconnection (NATS resubscribes them by itself). */
  private watch(connection: NatsConnection): void {
    if (this.watching === connection) return;
    this.watching = connection;
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type !== 'reconnect') continue;
        this.options.log.info(
          { gateways: this.held.size },
          'NATS back: held gateways read their waiting commands',
        );
        for (const { catchUp } of this.held.values()) catchUp?.();
      }
    })();
  }

  /** The gateway is no longer connected here. */
  release(tenant: string, gateway: string): void {
    const subject = gatewaySubject(this.options.prefix, tenant, gateway, 'commands');
    this.held.get(subject)?.subscription.unsubscribe();
    this.held.delete(subject);
  }

  /**
   * Hands a command to the node holding its gateway; resolves whether one took it (false: the gateway
   * is connected nowhere, or no node answered in time). Never rejects.
   */
  async forward(tenant: string, record: CommandRecord): Promise<boolean> {
    const { log, counters, timeoutMs } = this.options;
    const subject = gatewaySubject(this.options.prefix, tenant, record.gatewayId, 'commands');
    try {
      const answer = await this.options
        .connection()
        .request(subject, JSON.stringify(record), { timeout: timeoutMs });
      const sent = answer.string() === taken;
      counters.add(sent ? 'commands_forwarded' : 'commands_forward_not_here');
      return sent;
    } catch (error) {
      if ((error as NatsError).code === ErrorCode.NoResponders) return false;
      counters.add('commands_forward_failed');
      log.warn(
        { err: error, commandId: record.id, gatewayId: record.gatewayId },
        'forwarding a command to the node holding its gateway failed: it waits in the store',
      );
      return false;
    }
  }
}

/** The command a forwarded request carries, if it is a well-formed one for `gateway`. */
export function forwardedCommand(text: string, gateway: string): CommandRecord | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = commandRecord.safeParse(json);
  return parsed.success && parsed.data.gatewayId === gateway ? parsed.data : undefined;
}
