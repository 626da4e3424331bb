import type { DatabaseSync, StatementSync } from 'node:sqlite';

export interface SentKey {
  /** The alert id, or a digest id. */
  subjectId: string;
  /** The alert transition, or `digest`. */
  transition: string;
  channel: string;
}

export type SentState = 'sending' | 'sent' | 'failed';

/**
 * Which (alert, transition, channel) were already notified, kept so that a restart (or another node)
 * does not notify again. A key is claimed before sending: at most once, never twice.
 * test/conformance/sent-keys.ts is the suite every store must pass.
 */
export interface SentKeys {
  /** Records the key; false if it was already there (then the caller must not send). */
  claim(key: SentKey, at: string): Promise<boolean>;
  settle(key: SentKey, state: Exclude<SentState, 'sending'>, at: string): Promise<void>;
  state(key: SentKey): Promise<SentState | undefined>;
  /** Forgets keys claimed before `before` (ISO); returns how many. Keep them longer than alerts live. */
  pruneBefore(before: string): Promise<number>;
}

/** The sent keys in the embedded database. */
export class SqliteSentKeys implements SentKeys {
  private readonly claimStatement: StatementSync;
  private readonly settleStatement: StatementSync;
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS notification_sent (
      subject_id TEXT NOT NULL, transition TEXT NOT NULL, channel TEXT NOT NULL,
      state TEXT NOT NULL, claimed_at TEXT NOT NULL, settled_at TEXT,
      PRIMARY KEY (subject_id, transition, channel)
    );
    CREATE INDEX IF NOT EXISTS notification_sent_claimed ON notification_sent (claimed_at);`);
    this.claimStatement = db.prepare(`INSERT INTO notification_sent
      (subject_id, transition, channel, state, claimed_at) VALUES (?, ?, ?, 'sending', ?)
      ON CONFLICT DO NOTHING`);
    this.settleStatement = db.prepare(`UPDATE notification_sent SET state = ?, settled_at = ?
      WHERE subject_id = ? AND transition = ? AND channel = ?`);
  }

  async claim(key: SentKey, at: string): Promise<boolean> {
    const { changes } = this.claimStatement.run(key.subjectId, key.transition, key.channel, at);
    return Number(changes) > 0;
  }

  async settle(key: SentKey, state: Exclude<SentState, 'sending'>, at: string): Promise<void> {
    this.settleStatement.run(state, at, key.subjectId, key.transition, key.channel);
  }

  async state(key: SentKey): Promise<SentState | undefined> {
    const row = this.db
      .prepare('SELECT state FROM notification_sent WHERE subject_id = ? AND transition = ? AND channel = ?')
      .get(key.subjectId, key.transition, key.channel) as { state: SentState } | undefined;
    return row?.state;
  }

  async pruneBefore(before: string): Promise<number> {
    const { changes } = this.db.prepare('DELETE FROM notification_sent WHERE claimed_at < ?').run(before);
    return Number(changes);
  }
}
