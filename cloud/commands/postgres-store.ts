import { inTransaction } from '../postgres/pool.ts';
import type { PgSchema } from '../postgres/schema-name.ts';
import { type CommandStatus, finalStatuses } from './status.ts';
import {
  type CommandQuery,
  type CommandRecord,
  type CommandStore,
  commandFromRow,
  type Row,
} from './store.ts';

/**
 * Commands and their tracking in PostgreSQL (one tenant's schema, cluster mode). Every call reads or
 * writes the database, so every node sees every command at once; a transition is one conditional
 * UPDATE, so two nodes moving one command (a delivery on one, its expiry on the other) cannot take it
 * out of a final status.
 */
export class PostgresCommandStore implements CommandStore {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async insert(records: CommandRecord[]): Promise<void> {
    if (records.length === 0) return;
    await inTransaction(this.schema.pool, async (client) => {
      for (const r of records)
        await client.query(
          `INSERT INTO ${this.schema.name}.commands
            (id, device_id, gateway_id, kind, command, status, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            r.id,
            r.deviceId,
            r.gatewayId,
            r.kind,
            JSON.stringify(r.command),
            r.status,
            r.createdAt,
            r.expiresAt,
          ],
        );
    });
  }

  async get(id: string): Promise<CommandRecord | undefined> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.commands WHERE id = $1`,
      [id],
    );
    return rows[0] && commandFromRow(rows[0]);
  }

  async transition(id: string, status: CommandStatus, at: string, detail?: string): Promise<boolean> {
    const column = { sent: 'sent_at', delivered: 'delivered_at' }[status as string] ?? 'completed_at';
    const { rowCount } = await this.schema.pool.query(
      `UPDATE ${this.schema.name}.commands SET status = $1, ${column} = $2, detail = COALESCE($3, detail)
       WHERE id = $4 AND status <> ALL ($5::text[])`,
      [status, at, detail ?? null, id, finalStatuses],
    );
    return (rowCount ?? 0) > 0;
  }

  async undelivered(gatewayId: string): Promise<CommandRecord[]> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.commands WHERE gateway_id = $1 AND status IN ('pending', 'sent')
       ORDER BY created_at, id`,
      [gatewayId],
    );
    return rows.map(commandFromRow);
  }

  async overdue(now: string): Promise<CommandRecord[]> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.commands WHERE expires_at < $1 AND status <> ALL ($2::text[])`,
      [now, finalStatuses],
    );
    return rows.map(commandFromRow);
  }

  async list(query: CommandQuery): Promise<{ total: number; items: CommandRecord[] }> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    for (const [column, value] of [
      ['status', query.status],
      ['device_id', query.deviceId],
      ['gateway_id', query.gatewayId],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const count = await this.schema.pool.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM ${this.schema.name}.commands ${clause}`,
      params,
    );
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.commands ${clause} ORDER BY created_at DESC, id
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    );
    return { total: Number(count.rows[0]?.n ?? 0), items: rows.map(commandFromRow) };
  }

  async pruneFinished(before: string): Promise<number> {
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.commands WHERE completed_at < $1 AND status = ANY ($2::text[])`,
      [before, finalStatuses],
    );
    return rowCount ?? 0;
  }
}
