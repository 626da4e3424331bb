import type pg from 'pg';
import { inTransaction } from '../postgres/pool.ts';
import type { PgSchema } from '../postgres/schema-name.ts';
import { letterColumns, type Row, toDeadLetter, toRejection, toUsage, usageColumns } from './rows.ts';
import {
  type DeadLetter,
  type DeadLetterInput,
  type DeadLetterQuery,
  type DeadLetterStore,
  type DeadLetterStoreOptions,
  defaultMaxRows,
  defaultQuotaBytes,
  fitQuotas,
  type GatewayUsage,
  letterBytes,
  payloadText,
  type RawPayload,
} from './store.ts';

/**
 * Dead letters in PostgreSQL (a tenant's schema, or the platform schema for letters of no tenant;
 * cluster mode). A trigger keeps `dead_letter_usage` in step with the letters (cloud/postgres/tables.ts).
 * Letters are added one at a time under a transaction-level advisory lock on the schema, so the
 * quotas hold with two nodes adding at once, and ids follow the order letters were kept in: the row
 * cap keeps the newest by id (a letter whose transaction failed leaves a gap in the ids, so the
 * store then keeps a few fewer than its cap).
 */
export class PostgresDeadLetterStore implements DeadLetterStore {
  private readonly schema: PgSchema;
  private readonly maxRows: number;
  private readonly quotaBytes: number;
  private readonly totalQuotaBytes: () => number;
  private readonly now: () => Date;

  constructor(schema: PgSchema, options: DeadLetterStoreOptions = {}) {
    this.schema = schema;
    this.maxRows = options.maxRows ?? defaultMaxRows;
    this.quotaBytes = options.quotaBytes ?? defaultQuotaBytes;
    this.totalQuotaBytes = options.totalQuotaBytes ?? (() => Number.POSITIVE_INFINITY);
    this.now = options.now ?? (() => new Date());
  }

  add(offered: DeadLetterInput): Promise<boolean> {
    const s = this.schema.name;
    return inTransaction(this.schema.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`city-dead-letters:${s}`]);
      const key = offered.gatewayId ?? '';
      const used = await client.query<{ bytes: string }>(
        `SELECT bytes FROM ${s}.dead_letter_usage WHERE gateway_key = $1`,
        [key],
      );
      const total = await client.query<{ bytes: string }>(
        `SELECT COALESCE(SUM(bytes), 0) AS bytes FROM ${s}.dead_letter_usage`,
      );
      const letter = fitQuotas(offered, [
        { used: Number(used.rows[0]?.bytes ?? 0), quota: this.quotaBytes },
        { used: Number(total.rows[0]?.bytes ?? 0), quota: this.totalQuotaBytes() },
      ]);
      if (!letter) {
        await client.query(
          `INSERT INTO ${s}.dead_letter_usage AS u (gateway_key, dropped) VALUES ($1, 1)
           ON CONFLICT (gateway_key) DO UPDATE SET dropped = u.dropped + 1`,
          [key],
        );
        return false;
      }
      await this.insert(client, letter);
      await client.query(
        `DELETE FROM ${s}.dead_letters WHERE id <= (SELECT MAX(id) FROM ${s}.dead_letters) - $1`,
        [this.maxRows],
      );
      return true;
    });
  }

  private async insert(client: pg.PoolClient, letter: DeadLetterInput): Promise<void> {
    const s = this.schema.name;
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO ${s}.dead_letters (received_at, topic, gateway_id, size, sha256, shape, bytes, raw, raw_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        letter.receivedAt.toISOString(),
        letter.topic,
        letter.gatewayId ?? null,
        letter.size,
        letter.sha256,
        JSON.stringify(letter.shape),
        letterBytes(letter),
        letter.raw?.payload ?? null,
        letter.raw?.expiresAt.toISOString() ?? null,
      ],
    );
    const rejections = letter.rejections;
    if (rejections.length > 0)
      await client.query(
        `INSERT INTO ${s}.dead_letter_reasons (letter_id, reason, message, item_index)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[])`,
        [
          rows[0]?.id,
          rejections.map((r) => r.reason),
          rejections.map((r) => r.message),
          rejections.map((r) => r.index ?? null),
        ],
      );
  }

  async list(query: DeadLetterQuery): Promise<{ total: number; items: DeadLetter[] }> {
    const s = this.schema.name;
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.gatewayId) {
      params.push(query.gatewayId);
      where.push(`gateway_id = $${params.length}`);
    }
    if (query.reason) {
      params.push(query.reason);
      where.push(
        `EXISTS (SELECT 1 FROM ${s}.dead_letter_reasons r WHERE r.letter_id = m.id AND r.reason = $${params.length})`,
      );
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const count = await this.schema.pool.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM ${s}.dead_letters m ${clause}`,
      params,
    );
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT ${letterColumns}
       FROM ${s}.dead_letters m ${clause} ORDER BY id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    );
    const reasons = await this.schema.pool.query<Row>(
      `SELECT letter_id, reason, message, item_index FROM ${s}.dead_letter_reasons
       WHERE letter_id = ANY ($1::bigint[]) ORDER BY seq`,
      [rows.map((row) => String(row.id))],
    );
    const now = this.now().toISOString();
    const items = rows.map((row) =>
      toDeadLetter(
        row,
        reasons.rows.filter((r) => String(r.letter_id) === String(row.id)).map(toRejection),
        now,
      ),
    );
    return { total: Number(count.rows[0]?.n ?? 0), items };
  }

  async rawPayload(id: number): Promise<RawPayload | undefined> {
    const s = this.schema.name;
    const { rows } = await this.schema.pool.query<{ raw: Buffer; raw_expires_at: string }>(
      `SELECT raw, raw_expires_at FROM ${s}.dead_letters WHERE id = $1 AND raw IS NOT NULL`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.raw_expires_at <= this.now().toISOString()) {
      await this.schema.pool.query(
        `UPDATE ${s}.dead_letters SET bytes = bytes - octet_length(raw), raw = NULL, raw_expires_at = NULL
         WHERE id = $1 AND raw IS NOT NULL`,
        [id],
      );
      return undefined;
    }
    return { ...payloadText(row.raw), expiresAt: row.raw_expires_at };
  }

  async dropExpiredPayloads(): Promise<number> {
    const { rowCount } = await this.schema.pool.query(
      `UPDATE ${this.schema.name}.dead_letters SET bytes = bytes - octet_length(raw), raw = NULL, raw_expires_at = NULL
       WHERE raw_expires_at IS NOT NULL AND raw_expires_at <= $1`,
      [this.now().toISOString()],
    );
    return rowCount ?? 0;
  }

  async pruneBefore(before: string): Promise<number> {
    // Their reasons go with them (ON DELETE CASCADE), and the usage trigger gives back their bytes.
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.dead_letters WHERE received_at < $1`,
      [before],
    );
    return rowCount ?? 0;
  }

  async usage(): Promise<GatewayUsage[]> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT ${usageColumns} FROM ${this.schema.name}.dead_letter_usage
       WHERE letters > 0 OR dropped > 0 ORDER BY gateway_key`,
    );
    return rows.map(toUsage);
  }

  async setCapture(gatewayId: string, until: Date | undefined): Promise<void> {
    if (until === undefined)
      await this.schema.pool.query(
        `DELETE FROM ${this.schema.name}.dead_letter_captures WHERE gateway_id = $1`,
        [gatewayId],
      );
    else
      await this.schema.pool.query(
        `INSERT INTO ${this.schema.name}.dead_letter_captures (gateway_id, until) VALUES ($1, $2)
         ON CONFLICT (gateway_id) DO UPDATE SET until = EXCLUDED.until`,
        [gatewayId, until.toISOString()],
      );
  }

  async capture(gatewayId: string): Promise<Date | undefined> {
    const { rows } = await this.schema.pool.query<{ until: string }>(
      `SELECT until FROM ${this.schema.name}.dead_letter_captures WHERE gateway_id = $1`,
      [gatewayId],
    );
    const until = rows[0]?.until;
    return until !== undefined && until > this.now().toISOString() ? new Date(until) : undefined;
  }
}
