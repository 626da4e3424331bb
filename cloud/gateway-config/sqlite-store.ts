import type { DatabaseSync } from 'node:sqlite';
import type { GatewayConfig } from '../../shared/messages.ts';
import { type ConfigChange, type GatewayConfigStore, versioned } from './store.ts';

/** Gateway configurations in the embedded database (the whole configuration as JSON). */
export class SqliteGatewayConfigStore implements GatewayConfigStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS gateway_configs (
      gateway_id TEXT PRIMARY KEY, version INTEGER NOT NULL, config TEXT NOT NULL, updated_at TEXT NOT NULL
    )`);
  }

  async get(gatewayId: string): Promise<GatewayConfig | undefined> {
    const row = this.db.prepare('SELECT config FROM gateway_configs WHERE gateway_id = ?').get(gatewayId) as
      | { config: string }
      | undefined;
    return row && JSON.parse(row.config);
  }

  async save(gatewayId: string, change: ConfigChange, at: string): Promise<GatewayConfig> {
    const row = this.db.prepare('SELECT version FROM gateway_configs WHERE gateway_id = ?').get(gatewayId) as
      | { version: number }
      | undefined;
    const config = versioned((row?.version ?? 0) + 1, change);
    this.db
      .prepare(
        'INSERT OR REPLACE INTO gateway_configs (gateway_id, version, config, updated_at) VALUES (?, ?, ?, ?)',
      )
      .run(gatewayId, config.version, JSON.stringify(config), at);
    return config;
  }

  async all(): Promise<{ gatewayId: string; config: GatewayConfig }[]> {
    const rows = this.db
      .prepare('SELECT gateway_id, config FROM gateway_configs ORDER BY gateway_id')
      .all() as {
      gateway_id: string;
      config: string;
    }[];
    return rows.map((row) => ({ gatewayId: row.gateway_id, config: JSON.parse(row.config) }));
  }
}
