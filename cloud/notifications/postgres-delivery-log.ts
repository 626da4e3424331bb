import type { PgSchema } from '../postgres/schema-name.ts';
import {
  type DeliveryLog,
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliveryState,
  type Row,
  toRecord,
} from './delivery-log.ts';

/**
 * The webhook delivery log in PostgreSQL (one tenant's schema, cluster mode): every call reads or
 * writes the database, so a delivery made by one node is listed by all.
 */
export class PostgresDeliveryLog implements DeliveryLog {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async start(
    record: Pick<DeliveryRecord, 'id' | 'channel' | 'event' | 'subjectId' | 'transition'>,
    at: string,
  ): Promise<void> {
    await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.notification_deliveries
        (id, channel, event, subject_id, transition, state, attempts, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)`,
      [record.id, record.channel, record.event, record.subjectId, record.transition, at],
    );
  }

  async attempt(
    id: string,
    outcome: { status?: number; error?: string; state: DeliveryState },
    at: string,
  ): Promise<void> {
    await this.schema.pool.query(
      `UPDATE ${this.schema.name}.notification_deliveries SET attempts = attempts + 1, last_status = $1,
        last_error = $2, state = $3, updated_at = $4 WHERE id = $5`,
      [outcome.status ?? null, outcome.error ?? null, outcome.state, at, id],
    );
  }

  async finish(
    id: string,
    state: Exclude<DeliveryState, 'pending'>,
    error: string,
    at: string,
  ): Promise<void> {
    await this.schema.pool.query(
      `UPDATE ${this.schema.name}.notification_deliveries SET state = $1, last_error = $2, updated_at = $3
       WHERE id = $4`,
      [state, error, at, id],
    );
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.notification_deliveries WHERE id = $1`,
      [id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async list(query: DeliveryQuery = {}): Promise<DeliveryRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    for (const [column, value] of [
      ['channel', query.channel],
      ['subject_id', query.subjectId],
      ['state', query.state],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    params.push(query.limit ?? 100);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.notification_deliveries ${clause}
       ORDER BY created_at DESC, seq DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }

  async pruneBefore(before: string): Promise<number> {
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.notification_deliveries WHERE created_at < $1`,
      [before],
    );
    return rowCount ?? 0;
  }
}
