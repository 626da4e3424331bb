import type { GatewayConfig } from '../../shared/messages.ts';
import type { ConfigChange, GatewayConfigStore } from './store.ts';

export type { ConfigChange } from './store.ts';

/**
 * The configuration the cloud wants each gateway to run (reporting interval, deadbands). Every change
 * gets the next version and is published retained on the gateway's config topic, so the gateway gets
 * it whenever it connects; the gateway confirms on config-status (kept in the registry).
 */
export class GatewayConfigService {
  private readonly store: GatewayConfigStore;
  private readonly publish: (gatewayId: string, config: GatewayConfig) => void;

  constructor(store: GatewayConfigStore, publish: (gatewayId: string, config: GatewayConfig) => void) {
    this.store = store;
    this.publish = publish;
  }

  get(gatewayId: string): Promise<GatewayConfig | undefined> {
    return this.store.get(gatewayId);
  }

  async set(gatewayId: string, change: ConfigChange, at: Date): Promise<GatewayConfig> {
    const config = await this.store.save(gatewayId, change, at.toISOString());
    this.publish(gatewayId, config);
    return config;
  }

  /** Publishes every stored configuration again (the broker's retained messages do not survive a restart). */
  async republishAll(): Promise<void> {
    for (const { gatewayId, config } of await this.store.all()) this.publish(gatewayId, config);
  }
}
