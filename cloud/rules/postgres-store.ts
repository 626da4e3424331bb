import type { PgSchema } from '../postgres/schema-name.ts';
import type { RuleInput } from './schema.ts';
import type { RuleStore } from './store.ts';

/**
 * Rule definitions saved over the API, in PostgreSQL (one tenant's schema, cluster mode), kept as
 * the text they were saved as. Every node reads the same definitions; a node learns of a change made
 * through another node when it reads `stored()` again (at start, or when the cluster tells it).
 */
export class PostgresRuleStore implements RuleStore {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async stored(): Promise<Map<string, RuleInput | null>> {
    const { rows } = await this.schema.pool.query<{ id: string; definition: string; deleted: boolean }>(
      `SELECT id, definition, deleted FROM ${this.schema.name}.rules`,
    );
    return new Map(rows.map((r) => [r.id, r.deleted ? null : JSON.parse(r.definition)]));
  }

  async save(definition: RuleInput, at: Date): Promise<void> {
    await this.put(definition.id, JSON.stringify(definition), at, false);
  }

  async delete(id: string, at: Date): Promise<void> {
    await this.put(id, '{}', at, true);
  }

  private async put(id: string, definition: string, at: Date, deleted: boolean): Promise<void> {
    await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.rules (id, definition, updated_at, deleted) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition, updated_at = EXCLUDED.updated_at,
         deleted = EXCLUDED.deleted`,
      [id, definition, at.toISOString(), deleted],
    );
  }
}
