import type { DatabaseSync } from 'node:sqlite';

/** `pending` while attempts are still running; `delivered` / `failed` are final. */
export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface DeliveryRecord {
  id: string;
  channel: string;
  event: 'alert' | 'digest';
  /** The alert id, or the digest id. */
  subjectId: string;
  /** The alert transition; `digest` for digests. */
  transition: string;
  state: DeliveryState;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryQuery {
  channel?: string;
  subjectId?: string;
  state?: DeliveryState;
  limit?: number;
}

/**
 * Every webhook delivery and how it went. test/conformance/delivery-log.ts is the suite every store
 * must pass.
 */
export interface DeliveryLog {
  start(
    record: Pick<DeliveryRecord, 'id' | 'channel' | 'event' | 'subjectId' | 'transition'>,
    at: string,
  ): Promise<void>;
  /** Records one attempt's outcome (a status or an error), and the state it leads to. */
  attempt(
    id: string,
    outcome: { status?: number; error?: string; state: DeliveryState },
    at: string,
  ): Promise<void>;
  /** Ends a delivery without a further attempt (e.g. the channel closed while waiting to retry). */
  finish(id: string, state: Exclude<DeliveryState, 'pending'>, error: string, at: string): Promise<void>;
  get(id: string): Promise<DeliveryRecord | undefined>;
  /** Newest first (by creation; the later started first among equal times); 100 unless `limit`. */
  list(query?: DeliveryQuery): Promise<DeliveryRecord[]>;
  /** Forgets deliveries created before `before` (ISO); returns how many. */
  pruneBefore(before: string): Promise<number>;
}

export type Row = Record<string, unknown>;

export function toRecord(row: Row): DeliveryRecord {
  return {
    id: String(row.id),
    channel: String(row.channel),
    event: row.event as DeliveryRecord['event'],
    subjectId: String(row.subject_id),
    transition: String(row.transition),
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    lastStatus: row.last_status === null ? undefined : Number(row.last_status),
    lastError: row.last_error === null ? undefined : String(row.last_error),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

/** Every webhook delivery and how it went, in the embedded database. */
export class SqliteDeliveryLog implements DeliveryLog {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS notification_deliveries (
      id TEXT PRIMARY KEY, channel TEXT NOT NULL, event TEXT NOT NULL, subject_id TEXT NOT NULL,
      transition TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
      last_status INTEGER, last_error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS notification_deliveries_subject ON notification_deliveries (subject_id);
    CREATE INDEX IF NOT EXISTS notification_deliveries_created ON notification_deliveries (created_at);`);
  }

  async start(
    record: Pick<DeliveryRecord, 'id' | 'channel' | 'event' | 'subjectId' | 'transition'>,
    at: string,
  ): Promise<void> {
    this.db
      .prepare(`INSERT INTO notification_deliveries
        (id, channel, event, subject_id, transition, state, attempts, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`)
      .run(record.id, record.channel, record.event, record.subjectId, record.transition, at, at);
  }

  async attempt(
    id: string,
    outcome: { status?: number; error?: string; state: DeliveryState },
    at: string,
  ): Promise<void> {
    this.db
      .prepare(`UPDATE notification_deliveries SET attempts = attempts + 1, last_status = ?,
        last_error = ?, state = ?, updated_at = ? WHERE id = ?`)
      .run(outcome.status ?? null, outcome.error ?? null, outcome.state, at, id);
  }

  async finish(
    id: string,
    state: Exclude<DeliveryState, 'pending'>,
    error: string,
    at: string,
  ): Promise<void> {
    this.db
      .prepare('UPDATE notification_deliveries SET state = ?, last_error = ?, updated_at = ? WHERE id = ?')
      .run(state, error, at, id);
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM notification_deliveries WHERE id = ?').get(id) as
      | Row
      | undefined;
    return row && toRecord(row);
  }

  async list(query: DeliveryQuery = {}): Promise<DeliveryRecord[]> {
    const where: string[] = [];
    const params: string[] = [];
    for (const [column, value] of [
      ['channel', query.channel],
      ['subject_id', query.subjectId],
      ['state', query.state],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM notification_deliveries ${clause} ORDER BY created_at DESC, rowid DESC LIMIT ?`)
      .all(...params, query.limit ?? 100) as Row[];
    return rows.map(toRecord);
  }

  async pruneBefore(before: string): Promise<number> {
    const { changes } = this.db
      .prepare('DELETE FROM notification_deliveries WHERE created_at < ?')
      .run(before);
    return Number(changes);
  }
}
