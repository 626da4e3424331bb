import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { transaction } from '../sqlite/sqlite.ts';
import type { Rejection } from './rejection.ts';

/** A rejected message, kept once with every reason it (or items in it) was rejected for. */
export interface DeadLetterInput {
  receivedAt: Date;
  topic: string;
  gatewayId: string | undefined;
  payload: Buffer;
  rejections: Rejection[];
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

/**
 * Rejected messages kept for inspection, newest first; a store keeps a bounded number (the newest).
 * test/conformance/dead-letter-store.ts is the suite every store must pass.
 */
export interface DeadLetterStore {
  /** Resolves once the letter is kept. */
  add(letter: DeadLetterInput): Promise<void>;
  /** Newest first; `reason` matches a letter with any rejection for that reason. */
  list(query: DeadLetterQuery): Promise<{ total: number; items: DeadLetter[] }>;
  /** Deletes letters received before `before` (ISO); returns how many (DEAD_LETTER_RETENTION_DAYS). */
  pruneBefore(before: string): Promise<number>;
}

/** Keeps rejected messages for inspection in the embedded database; the newest `maxRows` are kept. */
export class SqliteDeadLetterStore implements DeadLetterStore {
  private readonly db: DatabaseSync;
  private readonly statements: Record<'message' | 'rejection' | 'prune', StatementSync>;
  private readonly maxRows: number;

  constructor(db: DatabaseSync, maxRows = 100_000) {
    this.db = db;
    this.maxRows = maxRows;
    db.exec(`CREATE TABLE IF NOT EXISTS dead_letter_messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      received_at TEXT NOT NULL,
      topic TEXT NOT NULL,
      gateway_id TEXT,
      payload BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS dead_letter_rejections (
      letter_id INTEGER NOT NULL REFERENCES dead_letter_messages (id) ON DELETE CASCADE,
      reason TEXT NOT NULL,
      message TEXT NOT NULL,
      item_index INTEGER
    );
    CREATE INDEX IF NOT EXISTS dead_letter_gateway ON dead_letter_messages (gateway_id, id);
    CREATE INDEX IF NOT EXISTS dead_letter_reason ON dead_letter_rejections (letter_id, reason);
    CREATE INDEX IF NOT EXISTS dead_letter_received ON dead_letter_messages (received_at);
`);
    this.statements = {
      message: db.prepare(
        'INSERT INTO dead_letter_messages (received_at, topic, gateway_id, payload) VALUES (?, ?, ?, ?) RETURNING id',
      ),
      rejection: db.prepare(
        'INSERT INTO dead_letter_rejections (letter_id, reason, message, item_index) VALUES (?, ?, ?, ?)',
      ),
      prune: db.prepare(
        'DELETE FROM dead_letter_messages WHERE id <= (SELECT MAX(id) FROM dead_letter_messages) - ?',
      ),
    };
  }

  async add(letter: DeadLetterInput): Promise<void> {
    transaction(this.db, () => {
      const { id } = this.statements.message.get(
        letter.receivedAt.toISOString(),
        letter.topic,
        letter.gatewayId ?? null,
        letter.payload,
      ) as { id: number };
      for (const r of letter.rejections)
        this.statements.rejection.run(id, r.reason, r.message, r.index ?? null);
      this.statements.prune.run(this.maxRows);
    });
  }

  async list(query: DeadLetterQuery): Promise<{ total: number; items: DeadLetter[] }> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.gatewayId) {
      where.push('gateway_id = ?');
      params.push(query.gatewayId);
    }
    if (query.reason) {
      where.push('EXISTS (SELECT 1 FROM dead_letter_rejections r WHERE r.letter_id = m.id AND r.reason = ?)');
      params.push(query.reason);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { n } = this.db
      .prepare(`SELECT COUNT(*) AS n FROM dead_letter_messages m ${clause}`)
      .get(...params) as {
      n: number;
    };
    const rows = this.db
      .prepare(`SELECT * FROM dead_letter_messages m ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as Record<string, unknown>[];
    const rejectionsOf = this.db.prepare(
      'SELECT reason, message, item_index FROM dead_letter_rejections WHERE letter_id = ? ORDER BY rowid',
    );
    const items = rows.map((row) => {
      const rejections = (rejectionsOf.all(Number(row.id)) as Record<string, unknown>[]).map((r) => ({
        reason: r.reason as Rejection['reason'],
        message: String(r.message),
        ...(r.item_index === null ? {} : { index: Number(r.item_index) }),
      }));
      return toDeadLetter(row, rejections);
    });
    return { total: Number(n), items };
  }

  async pruneBefore(before: string): Promise<number> {
    // Their rejections go with them (ON DELETE CASCADE).
    const { changes } = this.db.prepare('DELETE FROM dead_letter_messages WHERE received_at < ?').run(before);
    return Number(changes);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A payload as UTF-8 text when it is valid UTF-8, otherwise base64. */
export function payloadText(bytes: Uint8Array): Pick<DeadLetter, 'payload' | 'payloadEncoding'> {
  try {
    return { payload: utf8.decode(bytes), payloadEncoding: 'utf8' };
  } catch {
    return { payload: Buffer.from(bytes).toString('base64'), payloadEncoding: 'base64' };
  }
}

function toDeadLetter(row: Record<string, unknown>, rejections: Rejection[]): DeadLetter {
  return {
    id: Number(row.id),
    receivedAt: String(row.received_at),
    topic: String(row.topic),
    gatewayId: row.gateway_id === null ? undefined : String(row.gateway_id),
    rejections,
    ...payloadText(row.payload as Uint8Array),
  };
}
