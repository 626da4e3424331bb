import { gatewayTopic } from '../../shared/topics.ts';
import { GatewayConfigService } from './service.ts';
import type { GatewayConfigStore } from './store.ts';

/**
 * Gateway configurations, published retained on each gateway's config topic; at start every stored
 * one is published again (the broker's retained messages do not survive a restart), so it starts
 * after the broker.
 */
export function gatewayConfigFeature(deps: {
  store: GatewayConfigStore;
  send(topic: string, body: object, retain: boolean): void;
}) {
  const configs = new GatewayConfigService(deps.store, (gatewayId, config) =>
    deps.send(gatewayTopic(gatewayId, 'config'), config, true),
  );
  return {
    name: 'gateway configurations',
    configs,
    start: () => configs.republishAll(),
  };
}
