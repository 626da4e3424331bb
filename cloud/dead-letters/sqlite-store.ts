import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { transaction } from '../sqlite/sqlite.ts';
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
 * Tables and triggers: `dead_letter_usage` follows every insert, delete and change of size, so the
 * quota is checked with one lookup. The tables of earlier versions kept whole payloads: a
 * migration drops them (cloud/schema-migrations.ts), and secure_delete overwrites what is deleted instead of leaving it in free pages.
 */
const schema = `
PRAGMA secure_delete = ON;
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at TEXT NOT NULL,
  topic TEXT NOT NULL,
  gateway_id TEXT,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  shape TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  raw BLOB,
  raw_expires_at TEXT
);
CREATE TABLE IF NOT EXISTS dead_letter_reasons (
  letter_id INTEGER NOT NULL REFERENCES dead_letters (id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  item_index INTEGER
);
CREATE TABLE IF NOT EXISTS dead_letter_usage (
  gateway_key TEXT PRIMARY KEY,
  bytes INTEGER NOT NULL DEFAULT 0,
  letters INTEGER NOT NULL DEFAULT 0,
  dropped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS dead_letter_captures (gateway_id TEXT PRIMARY KEY, until TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS dead_letters_gateway ON dead_letters (gateway_id, id);
CREATE INDEX IF NOT EXISTS dead_letters_raw ON dead_letters (raw_expires_at) WHERE raw_expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS dead_letter_reasons_letter ON dead_letter_reasons (letter_id, reason);
CREATE TRIGGER IF NOT EXISTS dead_letters_added AFTER INSERT ON dead_letters BEGIN
  INSERT OR IGNORE INTO dead_letter_usage (gateway_key) VALUES (COALESCE(NEW.gateway_id, ''));
  UPDATE dead_letter_usage SET bytes = bytes + NEW.bytes, letters = letters + 1
    WHERE gateway_key = COALESCE(NEW.gateway_id, '');
END;
CREATE TRIGGER IF NOT EXISTS dead_letters_deleted AFTER DELETE ON dead_letters BEGIN
  UPDATE dead_letter_usage SET bytes = bytes - OLD.bytes, letters = letters - 1
    WHERE gateway_key = COALESCE(OLD.gateway_id, '');
END;
CREATE TRIGGER IF NOT EXISTS dead_letters_resized AFTER UPDATE OF bytes ON dead_letters BEGIN
  UPDATE dead_letter_usage SET bytes = bytes - OLD.bytes + NEW.bytes
    WHERE gateway_key = COALESCE(NEW.gateway_id, '');
END;
`;

type Statement =
  | 'letter'
  | 'reason'
  | 'prune'
  | 'used'
  | 'total'
  | 'dropped'
  | 'raw'
  | 'dropRaw'
  | 'dropExpired'
  | 'capture'
  | 'startCapture'
  | 'endCapture';

/** Dead letters in the embedded database. */
export class SqliteDeadLetterStore implements DeadLetterStore {
  private readonly db: DatabaseSync;
  private readonly statements: Record<Statement, StatementSync>;
  private readonly maxRows: number;
  private readonly quotaBytes: number;
  private readonly totalQuotaBytes: () => number;
  private readonly now: () => Date;

  constructor(db: DatabaseSync, options: DeadLetterStoreOptions = {}) {
    this.db = db;
    this.maxRows = options.maxRows ?? defaultMaxRows;
    this.quotaBytes = options.quotaBytes ?? defaultQuotaBytes;
    this.totalQuotaBytes = options.totalQuotaBytes ?? (() => Number.POSITIVE_INFINITY);
    this.now = options.now ?? (() => new Date());
    db.exec(schema);
    const usage = 'dead_letter_usage';
    this.statements = {
      letter: db.prepare(
        `INSERT INTO dead_letters (received_at, topic, gateway_id, size, sha256, shape, bytes, raw, raw_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      ),
      reason: db.prepare(
        'INSERT INTO dead_letter_reasons (letter_id, reason, message, item_index) VALUES (?, ?, ?, ?)',
      ),
      prune: db.prepare('DELETE FROM dead_letters WHERE id <= (SELECT MAX(id) FROM dead_letters) - ?'),
      used: db.prepare(`SELECT bytes FROM ${usage} WHERE gateway_key = ?`),
      total: db.prepare(`SELECT COALESCE(SUM(bytes), 0) AS bytes FROM ${usage}`),
      dropped: db.prepare(
        `INSERT INTO ${usage} (gateway_key, dropped) VALUES (?, 1)
         ON CONFLICT (gateway_key) DO UPDATE SET dropped = dropped + 1`,
      ),
      raw: db.prepare('SELECT raw, raw_expires_at FROM dead_letters WHERE id = ? AND raw IS NOT NULL'),
      dropRaw: db.prepare(
        'UPDATE dead_letters SET bytes = bytes - length(raw), raw = NULL, raw_expires_at = NULL WHERE id = ?',
      ),
      dropExpired: db.prepare(
        `UPDATE dead_letters SET bytes = bytes - length(raw), raw = NULL, raw_expires_at = NULL
         WHERE raw_expires_at IS NOT NULL AND raw_expires_at <= ?`,
      ),
      capture: db.prepare('SELECT until FROM dead_letter_captures WHERE gateway_id = ?'),
      startCapture: db.prepare(
        `INSERT INTO dead_letter_captures (gateway_id, until) VALUES (?, ?)
         ON CONFLICT (gateway_id) DO UPDATE SET until = excluded.until`,
      ),
      endCapture: db.prepare('DELETE FROM dead_letter_captures WHERE gateway_id = ?'),
    };
  }

  async add(offered: DeadLetterInput): Promise<boolean> {
    return transaction(this.db, () => {
      const key = offered.gatewayId ?? '';
      const used = (this.statements.used.get(key) as { bytes: number } | undefined)?.bytes ?? 0;
      const total = (this.statements.total.get() as { bytes: number }).bytes;
      const letter = fitQuotas(offered, [
        { used, quota: this.quotaBytes },
        { used: total, quota: this.totalQuotaBytes() },
      ]);
      if (!letter) {
        this.statements.dropped.run(key);
        return false;
      }
      const bytes = letterBytes(letter);
      const { id } = this.statements.letter.get(
        letter.receivedAt.toISOString(),
        letter.topic,
        letter.gatewayId ?? null,
        letter.size,
        letter.sha256,
        JSON.stringify(letter.shape),
        bytes,
        letter.raw?.payload ?? null,
        letter.raw?.expiresAt.toISOString() ?? null,
      ) as { id: number };
      for (const r of letter.rejections) this.statements.reason.run(id, r.reason, r.message, r.index ?? null);
      this.statements.prune.run(this.maxRows);
      return true;
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
      where.push('EXISTS (SELECT 1 FROM dead_letter_reasons r WHERE r.letter_id = m.id AND r.reason = ?)');
      params.push(query.reason);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM dead_letters m ${clause}`).get(...params) as {
      n: number;
    };
    const rows = this.db
      .prepare(`SELECT ${letterColumns} FROM dead_letters m ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as Row[];
    const reasonsOf = this.db.prepare(
      'SELECT reason, message, item_index FROM dead_letter_reasons WHERE letter_id = ? ORDER BY rowid',
    );
    const now = this.now().toISOString();
    const items = rows.map((row) =>
      toDeadLetter(row, (reasonsOf.all(Number(row.id)) as Row[]).map(toRejection), now),
    );
    return { total: Number(n), items };
  }

  async rawPayload(id: number): Promise<RawPayload | undefined> {
    const row = this.statements.raw.get(id) as { raw: Uint8Array; raw_expires_at: string } | undefined;
    if (!row) return undefined;
    if (row.raw_expires_at <= this.now().toISOString()) {
      this.statements.dropRaw.run(id);
      return undefined;
    }
    return { ...payloadText(row.raw), expiresAt: row.raw_expires_at };
  }

  async dropExpiredPayloads(): Promise<number> {
    return Number(this.statements.dropExpired.run(this.now().toISOString()).changes);
  }

  async pruneBefore(before: string): Promise<number> {
    // Their reasons go with them (ON DELETE CASCADE), and the usage trigger gives back their bytes.
    return Number(this.db.prepare('DELETE FROM dead_letters WHERE received_at < ?').run(before).changes);
  }

  async usage(): Promise<GatewayUsage[]> {
    const rows = this.db
      .prepare(
        `SELECT ${usageColumns} FROM dead_letter_usage WHERE letters > 0 OR dropped > 0 ORDER BY gateway_key`,
      )
      .all() as Row[];
    return rows.map(toUsage);
  }

  async setCapture(gatewayId: string, until: Date | undefined): Promise<void> {
    if (until === undefined) this.statements.endCapture.run(gatewayId);
    else this.statements.startCapture.run(gatewayId, until.toISOString());
  }

  async capture(gatewayId: string): Promise<Date | undefined> {
    const row = this.statements.capture.get(gatewayId) as { until: string } | undefined;
    return row && row.until > this.now().toISOString() ? new Date(row.until) : undefined;
  }
}
