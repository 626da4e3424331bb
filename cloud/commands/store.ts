import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { z } from 'zod';
import { type DeviceKind, deviceKind, kindCommand } from '../../shared/kinds/index.ts';
import { transaction } from '../sqlite/sqlite.ts';
import { type CommandStatus, commandStatus, finalStatuses } from './status.ts';

/** A command and its tracking, as stored and as the API answers it. */
export const commandRecord = z
  .object({
    id: z.string(),
    deviceId: z.string(),
    gatewayId: z.string(),
    kind: deviceKind,
    command: kindCommand,
    status: commandStatus,
    createdAt: z.string(),
    expiresAt: z.string(),
    sentAt: z.string().optional(),
    deliveredAt: z.string().optional(),
    completedAt: z.string().optional(),
    detail: z.string().optional().meta({
      description: "The gateway's reason code for the outcome (commandReason), never free text",
    }),
  })
  .meta({ id: 'CommandRecord' });
export type CommandRecord = z.infer<typeof commandRecord>;

export interface CommandQuery {
  status?: CommandStatus;
  deviceId?: string;
  gatewayId?: string;
  limit: number;
  offset: number;
}

/**
 * Commands and their tracking. test/conformance/command-store.ts is the suite every store must pass.
 */
export interface CommandStore {
  insert(records: CommandRecord[]): Promise<void>;
  get(id: string): Promise<CommandRecord | undefined>;
  /**
   * Moves a command to `status` (stamping `sentAt`, `deliveredAt` or, for the other statuses,
   * `completedAt` with `at`; `detail` kept unless given) unless it already reached a final status;
   * returns whether it changed.
   */
  transition(id: string, status: CommandStatus, at: string, detail?: string): Promise<boolean>;
  /** Commands of a gateway still to be delivered (pending, or sent but not acknowledged), oldest first. */
  undelivered(gatewayId: string): Promise<CommandRecord[]>;
  /** Open commands whose deadline is before `now`. */
  overdue(now: string): Promise<CommandRecord[]>;
  /** Newest first (then by id). */
  list(query: CommandQuery): Promise<{ total: number; items: CommandRecord[] }>;
  /**
   * Deletes commands that reached a final status before `before` (ISO); open ones are kept whatever
   * their age (they expire first). Returns how many (COMMAND_RETENTION_DAYS).
   */
  pruneFinished(before: string): Promise<number>;
}

export type Row = Record<string, unknown>;
const optional = (value: unknown) => (value === null ? undefined : String(value));

/** A command as the databases keep it (SQLite, PostgreSQL). */
export function commandFromRow(row: Row): CommandRecord {
  return {
    id: String(row.id),
    deviceId: String(row.device_id),
    gatewayId: String(row.gateway_id),
    kind: row.kind as DeviceKind,
    command: JSON.parse(String(row.command)),
    status: row.status as CommandStatus,
    createdAt: String(row.created_at),
    expiresAt: String(row.expires_at),
    sentAt: optional(row.sent_at),
    deliveredAt: optional(row.delivered_at),
    completedAt: optional(row.completed_at),
    detail: optional(row.detail),
  };
}

/** Commands and their tracking, in the embedded database: they survive a cloud restart. */
export class SqliteCommandStore implements CommandStore {
  private readonly db: DatabaseSync;
  private readonly insertStatement: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS commands (
      id TEXT PRIMARY KEY, device_id TEXT NOT NULL, gateway_id TEXT NOT NULL, kind TEXT NOT NULL,
      command TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
      sent_at TEXT, delivered_at TEXT, completed_at TEXT, detail TEXT
    );
    CREATE INDEX IF NOT EXISTS commands_open ON commands (gateway_id, status);
    CREATE INDEX IF NOT EXISTS commands_device ON commands (device_id, created_at);`);
    this.insertStatement = db.prepare(`INSERT INTO commands
      (id, device_id, gateway_id, kind, command, status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  async insert(records: CommandRecord[]): Promise<void> {
    transaction(this.db, () => {
      for (const r of records) {
        this.insertStatement.run(
          r.id,
          r.deviceId,
          r.gatewayId,
          r.kind,
          JSON.stringify(r.command),
          r.status,
          r.createdAt,
          r.expiresAt,
        );
      }
    });
  }

  async get(id: string): Promise<CommandRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM commands WHERE id = ?').get(id) as Row | undefined;
    return row && commandFromRow(row);
  }

  async transition(id: string, status: CommandStatus, at: string, detail?: string): Promise<boolean> {
    const column = { sent: 'sent_at', delivered: 'delivered_at' }[status as string] ?? 'completed_at';
    const finals = finalStatuses.map(() => '?').join(', ');
    const { changes } = this.db
      .prepare(`UPDATE commands SET status = ?, ${column} = ?, detail = COALESCE(?, detail)
        WHERE id = ? AND status NOT IN (${finals})`)
      .run(status, at, detail ?? null, id, ...finalStatuses);
    return Number(changes) > 0;
  }

  async undelivered(gatewayId: string): Promise<CommandRecord[]> {
    const rows = this.db
      .prepare(
        "SELECT * FROM commands WHERE gateway_id = ? AND status IN ('pending', 'sent') ORDER BY created_at",
      )
      .all(gatewayId) as Row[];
    return rows.map(commandFromRow);
  }

  async overdue(now: string): Promise<CommandRecord[]> {
    const finals = finalStatuses.map(() => '?').join(', ');
    const rows = this.db
      .prepare(`SELECT * FROM commands WHERE expires_at < ? AND status NOT IN (${finals})`)
      .all(now, ...finalStatuses) as Row[];
    return rows.map(commandFromRow);
  }

  async list(query: CommandQuery): Promise<{ total: number; items: CommandRecord[] }> {
    const where: string[] = [];
    const params: string[] = [];
    for (const [column, value] of [
      ['status', query.status],
      ['device_id', query.deviceId],
      ['gateway_id', query.gatewayId],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM commands ${clause}`).get(...params) as {
      n: number;
    };
    const rows = this.db
      .prepare(`SELECT * FROM commands ${clause} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as Row[];
    return { total: Number(n), items: rows.map(commandFromRow) };
  }

  async pruneFinished(before: string): Promise<number> {
    const finals = finalStatuses.map(() => '?').join(', ');
    const { changes } = this.db
      .prepare(`DELETE FROM commands WHERE completed_at < ? AND status IN (${finals})`)
      .run(before, ...finalStatuses);
    return Number(changes);
  }
}
