import type { DatabaseSync } from 'node:sqlite';
import type { GatewayConfig } from '../../shared/messages.ts';

export type ConfigChange = Omit<GatewayConfig, 'v' | 'version'>;

/**
 * The configuration the cloud wants each gateway to run (reporting interval, deadbands). Every change
 * gets the next version and is published retained on the gateway's config topic, so the gateway gets
 * it whenever it connects; the gateway confirms on config-status (kept in the registry).
 */
export class GatewayConfigService {
  private readonly db: DatabaseSync;
  private readonly publish: (gatewayId: string, config: GatewayConfig) => void;

  constructor(db: DatabaseSync, publish: (gatewayId: string, config: GatewayConfig) => void) {
    this.db = db;
    this.publish = publish;
    db.exec(`CREATE TABLE IF NOT EXISTS gateway_configs (
      gateway_id TEXT PRIMARY KEY, version INTEGER NOT NULL, config TEXT NOT NULL, updated_at TEXT NOT NULL
    )`);
  }

  get(gatewayId: string): GatewayConfig | undefined {
    const row = this.db.prepare('SELECT config FROM gateway_configs WHERE gateway_id = ?').get(gatewayId) as
      | { config: string }
      | undefined;
    return row && JSON.parse(row.config);
  }

  set(gatewayId: string, change: ConfigChange, at: Date): GatewayConfig {
    const config: GatewayConfig = { v: 1, version: (this.get(gatewayId)?.version ?? 0) + 1, ...change };
    this.db
      .prepare(
        'INSERT OR REPLACE INTO gateway_configs (gateway_id, version, config, updated_at) VALUES (?, ?, ?, ?)',
      )
      .run(gatewayId, config.version, JSON.stringify(config), at.toISOString());
    this.publish(gatewayId, config);
    return config;
  }

  /** Publishes every stored configuration again (the broker's retained messages do not survive a restart). */
  republishAll(): void {
    const rows = this.db.prepare('SELECT gateway_id, config FROM gateway_configs').all() as {
      gateway_id: string;
      config: string;
    }[];
    for (const row of rows) this.publish(row.gateway_id, JSON.parse(row.config));
  }
}
