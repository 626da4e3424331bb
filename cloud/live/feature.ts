import type { Logger } from 'pino';
import type { Alert } from '../alerts/store.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { DeviceMap } from './device-map.ts';
import { DeviceStates } from './device-states.ts';
import { EventBus, type LiveEvents } from './events.ts';

export interface LiveFeatureDeps {
  registry: DeviceRegistry;
  log: Logger;
  /** How often devices' connectivity is swept for the map states. */
  sweepMs: number;
  /** The alerts open at start (the alert store's), read when the feature starts. */
  openAlerts: () => Iterable<Alert>;
}

/**
 * Live data: the event bus the alert and command services report to, every device's map state
 * (from alert changes at once, from connectivity by a sweep), and the map built on both. Built
 * before alerting and commands (they report to its bus); started after them (it reads the open
 * alerts).
 */
export function liveFeature(deps: LiveFeatureDeps) {
  const { registry, log } = deps;
  const bus = new EventBus<LiveEvents>((error, name) =>
    log.error({ err: error, event: name }, 'live event listener failed'),
  );
  const states = new DeviceStates({ registry, onChange: (id, state) => bus.emit('device', { id, state }) });
  const map = new DeviceMap(registry, states);
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  return {
    name: 'live',
    bus,
    states,
    map,
    /** Takes in the open alerts, follows alert changes, sweeps connectivity; builds the fleet's map index. */
    async start(): Promise<void> {
      states.load(deps.openAlerts());
      unsubscribe = bus.on('alert', ({ transition, alert }) => states.alertChanged(transition, alert));
      timer = setInterval(
        () =>
          void states
            .sweepInRuns()
            .catch((error: Error) => log.error({ err: error }, 'device state sweep failed')),
        deps.sweepMs,
      );
      try {
        await map.warm();
      } catch (error) {
        // Not started: what it set up goes with it (a cell that fails to start is not stopped).
        clearInterval(timer);
        unsubscribe?.();
        throw error;
      }
    },
    stop(): void {
      clearInterval(timer);
      unsubscribe?.();
    },
  };
}
