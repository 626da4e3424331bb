import type { DatabaseSync } from 'node:sqlite';
import type { RuleInput } from './schema.ts';
import type { RuleStore } from './store.ts';

/** Rule definitions saved over the API, in the embedded database. */
export class SqliteRuleStore implements RuleStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(
      `CREATE TABLE IF NOT EXISTS rules (id TEXT PRIMARY KEY, definition TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)`,
    );
  }

  async stored(): Promise<Map<string, RuleInput | null>> {
    const rows = this.db.prepare('SELECT id, definition, deleted FROM rules').all() as {
      id: string;
      definition: string;
      deleted: number;
    }[];
    return new Map(rows.map((r) => [r.id, r.deleted ? null : JSON.parse(r.definition)]));
  }

  async save(definition: RuleInput, at: Date): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO rules (id, definition, updated_at, deleted) VALUES (?, ?, ?, 0)')
      .run(definition.id, JSON.stringify(definition), at.toISOString());
  }

  async delete(id: string, at: Date): Promise<void> {
    this.db
      .prepare("INSERT OR REPLACE INTO rules (id, definition, updated_at, deleted) VALUES (?, '{}', ?, 1)")
      .run(id, at.toISOString());
  }
}
