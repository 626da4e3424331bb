import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** Per rule and subject: since when the condition holds, and when its alert last cleared. */
export interface SubjectState {
  since?: number;
  clearedAt?: number;
}

const noState: SubjectState = Object.freeze({});

/** Rule evaluation state in the embedded database, so `for` durations and flap protection survive a restart. */
export class RuleStateStore {
  private readonly db: DatabaseSync;
  private readonly upsert: StatementSync;
  /** By rule, then subject. */
  private readonly cache = new Map<string, Map<string, SubjectState>>();

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
      this.subjects(String(row.rule_id)).set(String(row.subject_id), {
        since: row.since === null ? undefined : Number(row.since),
        clearedAt: row.cleared_at === null ? undefined : Number(row.cleared_at),
      });
    }
  }

  private subjects(ruleId: string): Map<string, SubjectState> {
    let subjects = this.cache.get(ruleId);
    if (!subjects) {
      subjects = new Map();
      this.cache.set(ruleId, subjects);
    }
    return subjects;
  }

  get(ruleId: string, subjectId: string): SubjectState {
    return this.cache.get(ruleId)?.get(subjectId) ?? noState;
  }

  set(ruleId: string, subjectId: string, state: SubjectState): void {
    const subjects = this.subjects(ruleId);
    const before = subjects.get(subjectId) ?? noState;
    if (before.since === state.since && before.clearedAt === state.clearedAt) return;
    subjects.set(subjectId, state);
    this.upsert.run(ruleId, subjectId, state.since ?? null, state.clearedAt ?? null);
  }

  /** Subjects of a rule whose condition holds but whose alert waits for its `for` duration. */
  pending(ruleId: string): string[] {
    const subjects: string[] = [];
    for (const [subject, state] of this.cache.get(ruleId) ?? [])
      if (state.since !== undefined) subjects.push(subject);
    return subjects;
  }

  forgetRule(ruleId: string): void {
    this.cache.delete(ruleId);
    this.db.prepare('DELETE FROM rule_state WHERE rule_id = ?').run(ruleId);
  }
}
