import type { PgSchema } from '../postgres/schema-name.ts';
import type { SentKey, SentKeys, SentState } from './sent-keys.ts';

/**
 * The sent keys in PostgreSQL (one tenant's schema, cluster mode). A claim is one INSERT … ON
 * CONFLICT DO NOTHING, so of two nodes claiming one key at once exactly one sends.
 */
export class PostgresSentKeys implements SentKeys {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async claim(key: SentKey, at: string): Promise<boolean> {
    const { rowCount } = await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.notification_sent (subject_id, transition, channel, state, claimed_at)
       VALUES ($1, $2, $3, 'sending', $4) ON CONFLICT DO NOTHING`,
      [key.subjectId, key.transition, key.channel, at],
    );
    return (rowCount ?? 0) > 0;
  }

  async settle(key: SentKey, state: Exclude<SentState, 'sending'>, at: string): Promise<void> {
    await this.schema.pool.query(
      `UPDATE ${this.schema.name}.notification_sent SET state = $1, settled_at = $2
       WHERE subject_id = $3 AND transition = $4 AND channel = $5`,
      [state, at, key.subjectId, key.transition, key.channel],
    );
  }

  async state(key: SentKey): Promise<SentState | undefined> {
    const { rows } = await this.schema.pool.query<{ state: SentState }>(
      `SELECT state FROM ${this.schema.name}.notification_sent
       WHERE subject_id = $1 AND transition = $2 AND channel = $3`,
      [key.subjectId, key.transition, key.channel],
    );
    return rows[0]?.state;
  }

  async pruneBefore(before: string): Promise<number> {
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.notification_sent WHERE claimed_at < $1`,
      [before],
    );
    return rowCount ?? 0;
  }
}
