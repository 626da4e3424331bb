import type { GatewayConfig } from '../../shared/messages.ts';
import type { PgSchema } from '../postgres/schema-name.ts';
import { type ConfigChange, type GatewayConfigStore, versioned } from './store.ts';

interface Row {
  gateway_id: string;
  version: number;
  change: string;
}

const toConfig = (row: Row): GatewayConfig => versioned(row.version, JSON.parse(row.change));

/**
 * Gateway configurations in PostgreSQL (one tenant's schema, cluster mode). A save is one upsert
 * that takes the next version in the database, so two nodes changing one gateway at once give two
 * versions, never the same one twice.
 */
export class PostgresGatewayConfigStore implements GatewayConfigStore {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async get(gatewayId: string): Promise<GatewayConfig | undefined> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.gateway_configs WHERE gateway_id = $1`,
      [gatewayId],
    );
    return rows[0] && toConfig(rows[0]);
  }

  async save(gatewayId: string, change: ConfigChange, at: string): Promise<GatewayConfig> {
    const { rows } = await this.schema.pool.query<Row>(
      `INSERT INTO ${this.schema.name}.gateway_configs AS c (gateway_id, version, change, updated_at)
       VALUES ($1, 1, $2, $3)
       ON CONFLICT (gateway_id) DO UPDATE
         SET version = c.version + 1, change = EXCLUDED.change, updated_at = EXCLUDED.updated_at
       RETURNING *`,
      [gatewayId, JSON.stringify(change), at],
    );
    return toConfig(rows[0] as Row);
  }

  async all(): Promise<{ gatewayId: string; config: GatewayConfig }[]> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.gateway_configs ORDER BY gateway_id`,
    );
    return rows.map((row) => ({ gatewayId: row.gateway_id, config: toConfig(row) }));
  }
}
