import type { Logger } from 'pino';
import type { CommandRecord } from '../commands/store.ts';
import type { CommandRelay } from './command-relay.ts';

/** What of a tenant's commands the broker's gateway events reach. */
interface TenantCommands {
  gateways: {
    /** Resolves (if it returns a promise) once the gateway's waiting commands went out. */
    onGatewayListening(gateway: string): void | Promise<void>;
    onGatewayGone(gateway: string): void;
  };
  service: { sendForwarded(record: CommandRecord): Promise<boolean> };
}

/**
 * The broker's events about gateways (embedded or external broker), passed to their tenant's commands.
 * In cluster mode a gateway listening here also takes the commands other nodes create for it: its
 * subject is subscribed before its waiting commands are read from the shared store, so a command
 * created meanwhile on any node is either read here or forwarded here. After NATS was away, the
 * gateway's waiting commands are read again (those created meanwhile could not be forwarded).
 */
export function gatewayCommandEvents(deps: {
  commandsOf(tenant: string): TenantCommands | undefined;
  relay?: Pick<CommandRelay, 'hold' | 'release'>;
  log: Logger;
}) {
  const { commandsOf, relay, log } = deps;
  return {
    onGatewayListening(gateway: string, tenant: string): Promise<void> {
      const commands = commandsOf(tenant);
      if (!commands) return Promise.resolve();
      if (!relay) return Promise.resolve(commands.gateways.onGatewayListening(gateway));
      return relay
        .hold(
          tenant,
          gateway,
          (record) => commands.service.sendForwarded(record),
          () => void commands.gateways.onGatewayListening(gateway),
        )
        .catch((error: Error) =>
          log.error(
            { err: error, tenant, gateway },
            'taking the commands of a gateway from other nodes failed',
          ),
        )
        .then(() => commands.gateways.onGatewayListening(gateway));
    },
    onGatewayGone(gateway: string, tenant: string): void {
      relay?.release(tenant, gateway);
      commandsOf(tenant)?.gateways.onGatewayGone(gateway);
    },
  };
}
