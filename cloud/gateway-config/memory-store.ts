import type { GatewayConfig } from '../../shared/messages.ts';
import { type ConfigChange, type GatewayConfigStore, versioned } from './store.ts';

/** Gateway configurations in memory, for tests. */
export class MemoryGatewayConfigStore implements GatewayConfigStore {
  private readonly configs = new Map<string, GatewayConfig>();

  async get(gatewayId: string): Promise<GatewayConfig | undefined> {
    const config = this.configs.get(gatewayId);
    return config && structuredClone(config);
  }

  async save(gatewayId: string, change: ConfigChange, _at: string): Promise<GatewayConfig> {
    const config = versioned((this.configs.get(gatewayId)?.version ?? 0) + 1, structuredClone(change));
    this.configs.set(gatewayId, config);
    return structuredClone(config);
  }

  async all(): Promise<{ gatewayId: string; config: GatewayConfig }[]> {
    return [...this.configs.keys()].sort().map((gatewayId) => ({
      gatewayId,
      config: structuredClone(this.configs.get(gatewayId) as GatewayConfig),
    }));
  }
}
