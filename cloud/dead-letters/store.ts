import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RejectReason } from '../ingest/decode.ts';
import { transaction } from '../storage/sqlite.ts';

export interface DeadLetterInput {
  receivedAt: Date;
  topic: string;
  gatewayId: string | undefined;
  reason: RejectReason;
  message: string;
  /** Index of the rejected reading or event inside its batch. */
  index?: number;
  payload: Buffer;
}

export interface DeadLetter extends Omit<DeadLetterInput, 'payload' | 'receivedAt'> {
  id: number;
  receivedAt: string;
  /** The payload as UTF-8 text when it is valid UTF-8, otherwise base64. */
  payload: string;
  payloadEncoding: 'utf8' | 'base64';
}

export interface DeadLetterQuery {
  gatewayId?: string;
  reason?: string;
  limit: number;
  offset: number;
}

export interface DeadLetterStore {
  add(letters: DeadLetterInput[]): void;
  list(query: DeadLetterQuery): { total: number; items: DeadLetter[] };
}

/** Keeps rejected messages for inspection in the embedded database; the newest `maxRows` are kept. */
export class SqliteDeadLetterStore implements DeadLetterStore {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly prune: StatementSync;
  private readonly maxRows: number;

  constructor(db: DatabaseSync, maxRows = 100_000) {
    this.db = db;
    this.maxRows = maxRows;
    db.exec(`CREATE TABLE IF NOT EXISTS dead_letters (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      received_at TEXT NOT NULL,
      topic TEXT NOT NULL,
      gateway_id TEXT,
      reason TEXT NOT NULL,
      message TEXT NOT NULL,
      item_index INTEGER,
      payload BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS dead_letters_gateway ON dead_letters (gateway_id, id);`);
    this.insert = db.prepare(
      `INSERT INTO dead_letters (received_at, topic, gateway_id, reason, message, item_index, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.prune = db.prepare('DELETE FROM dead_letters WHERE id <= (SELECT MAX(id) FROM dead_letters) - ?');
  }

  add(letters: DeadLetterInput[]): void {
    if (letters.length === 0) return;
    transaction(this.db, () => {
      for (const l of letters) {
        this.insert.run(
          l.receivedAt.toISOString(),
          l.topic,
          l.gatewayId ?? null,
          l.reason,
          l.message,
          l.index ?? null,
          l.payload,
        );
      }
      this.prune.run(this.maxRows);
    });
  }

  list(query: DeadLetterQuery): { total: number; items: DeadLetter[] } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.gatewayId) {
      where.push('gateway_id = ?');
      params.push(query.gatewayId);
    }
    if (query.reason) {
      where.push('reason = ?');
      params.push(query.reason);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number(
      (this.db.prepare(`SELECT COUNT(*) AS n FROM dead_letters ${clause}`).get(...params) as { n: number }).n,
    );
    const rows = this.db
      .prepare(`SELECT * FROM dead_letters ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as Record<string, unknown>[];
    return { total, items: rows.map(toDeadLetter) };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function toDeadLetter(row: Record<string, unknown>): DeadLetter {
  const bytes = row.payload as Uint8Array;
  let payload: string;
  let payloadEncoding: DeadLetter['payloadEncoding'] = 'utf8';
  try {
    payload = utf8.decode(bytes);
  } catch {
    payload = Buffer.from(bytes).toString('base64');
    payloadEncoding = 'base64';
  }
  return {
    id: Number(row.id),
    receivedAt: String(row.received_at),
    topic: String(row.topic),
    gatewayId: row.gateway_id === null ? undefined : String(row.gateway_id),
    reason: row.reason as RejectReason,
    message: String(row.message),
    index: row.item_index === null ? undefined : Number(row.item_index),
    payload,
    payloadEncoding,
  };
}
