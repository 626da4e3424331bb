import type { Logger } from 'pino';
import { commandMessage } from '../../shared/messages.ts';
import { gatewayTopic, parseTopic } from '../../shared/topics.ts';
import type { Counters } from '../monitoring/counters.ts';
import { CommandService } from './service.ts';
import type { CommandRecord, CommandStore } from './store.ts';

export interface CommandsFeatureDeps {
  store: CommandStore;
  counters: Counters;
  log: Logger;
  now: () => Date;
  /** Publishes a message as JSON on a gateway's topic (QoS 1). */
  send(topic: string, body: object): void;
  /** Told of every command created and every status change (the live stream). */
  onChange?: (record: CommandRecord) => void;
  /** Cluster mode: hands a command to the node holding its gateway (`CommandServiceOptions.forward`). */
  forward?: (record: CommandRecord) => Promise<boolean>;
}

/** Commands to devices: the service, its store, and what the broker tells it about gateways. */
export function commandsFeature(deps: CommandsFeatureDeps) {
  const { store } = deps;
  const service = new CommandService({
    store,
    counters: deps.counters,
    log: deps.log,
    now: deps.now,
    publish: (gatewayId, message) => deps.send(gatewayTopic(gatewayId, 'commands'), message),
    onChange: deps.onChange,
    forward: deps.forward,
  });
  return {
    name: 'commands',
    service,
    store,
    /** The broker's events about gateways and the cloud's command messages. */
    gateways: {
      onGatewayListening: (gatewayId: string) => service.gatewayListening(gatewayId),
      onGatewayGone: (gatewayId: string) => service.gatewayGone(gatewayId),
      /**
       * A gateway acknowledged a message the cloud published: if it carried a command, the command is
       * delivered. Resolves once that is stored; never rejects (the service logs its own failures).
       */
      async onDelivered(topic: string, payload: Buffer): Promise<void> {
        if (parseTopic(topic)?.channel !== 'commands') return;
        const message = commandMessage.safeParse(JSON.parse(payload.toString('utf8')));
        if (message.success) await service.delivered(message.data.commandId);
      },
    },
    start: () => service.start(),
    stop: () => service.stop(),
  };
}
