import type { GatewayConfig } from '../../shared/messages.ts';

export type ConfigChange = Omit<GatewayConfig, 'v' | 'version'>;

/**
 * The configuration the cloud wants each gateway to run, one per gateway, each change with the next
 * version. test/conformance/gateway-config-store.ts is the suite every store must pass.
 */
export interface GatewayConfigStore {
  get(gatewayId: string): Promise<GatewayConfig | undefined>;
  /** Stores the change as the gateway's next version (1 for its first) and returns the whole configuration. */
  save(gatewayId: string, change: ConfigChange, at: string): Promise<GatewayConfig>;
  /** Every gateway's configuration, by gateway id. */
  all(): Promise<{ gatewayId: string; config: GatewayConfig }[]>;
}

/** A configuration as it is published: `v`, its version, then the change's fields. */
export const versioned = (version: number, change: ConfigChange): GatewayConfig => ({
  v: 1,
  version,
  ...change,
});
