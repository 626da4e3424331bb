import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { transaction } from '../sqlite/sqlite.ts';
import { MemoryRuleStateStore } from './memory-state.ts';
import type { RuleStateStore, SubjectState } from './state.ts';

/** Rule evaluation state in the embedded database, read once at start and then served from memory. */
export class SqliteRuleStateStore implements RuleStateStore {
  private readonly db: DatabaseSync;
  private readonly upsert: StatementSync;
  private readonly cache = new MemoryRuleStateStore();

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS rule_state (
      rule_id TEXT NOT NULL, subject_id TEXT NOT NULL, since INTEGER, cleared_at INTEGER,
      PRIMARY KEY (rule_id, subject_id)
    )`);
    this.upsert =
      db.prepare(`INSERT INTO rule_state (rule_id, subject_id, since, cleared_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (rule_id, subject_id) DO UPDATE SET since = excluded.since, cleared_at = excluded.cleared_at`);
    for (const row of db.prepare('SELECT * FROM rule_state').all() as Record<
      string,
      number | string | null
    >[]) {
      this.cache.apply(String(row.rule_id), String(row.subject_id), {
        since: row.since === null ? undefined : Number(row.since),
        clearedAt: row.cleared_at === null ? undefined : Number(row.cleared_at),
      });
    }
  }

  get(ruleId: string, subjectId: string): SubjectState {
    return this.cache.get(ruleId, subjectId);
  }

  async set(ruleId: string, subjectId: string, state: SubjectState): Promise<void> {
    if (this.cache.apply(ruleId, subjectId, state))
      this.upsert.run(ruleId, subjectId, state.since ?? null, state.clearedAt ?? null);
  }

  pending(ruleId: string): string[] {
    return this.cache.pending(ruleId);
  }

  pendingRules(subjectId: string): ReadonlySet<string> {
    return this.cache.pendingRules(subjectId);
  }

  async forgetRule(ruleId: string): Promise<void> {
    await this.cache.forgetRule(ruleId);
    this.db.prepare('DELETE FROM rule_state WHERE rule_id = ?').run(ruleId);
  }

  async pruneCleared(before: number): Promise<number> {
    const stale = this.cache.staleCleared(before);
    const remove = this.db.prepare('DELETE FROM rule_state WHERE rule_id = ? AND subject_id = ?');
    transaction(this.db, () => {
      for (const [ruleId, subjectId] of stale) remove.run(ruleId, subjectId);
    });
    return this.cache.pruneCleared(before);
  }
}
