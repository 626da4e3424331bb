import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { transaction } from '../sqlite/sqlite.ts';
import {
  type DirtyHour,
  type DirtyHourStore,
  type HourKey,
  type RollupState,
  rollupState,
} from './dirty-hours.ts';

/**
 * Dirty hours in SQLite. The database is the cell's `rollups.db`, opened with synchronous = FULL:
 * a mark is on disk before the journal lets go of the points that made it (marks are few: an hour
 * already marked and not yet taken is not marked again, see `DirtyMarker`).
 */
export class SqliteDirtyHourStore implements DirtyHourStore {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly select: StatementSync;
  private readonly remove: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec('PRAGMA synchronous = FULL');
    db.exec(`CREATE TABLE IF NOT EXISTS rollup_dirty_hours (
      measurement TEXT NOT NULL,
      hour INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (measurement, hour)
    ) WITHOUT ROWID`);
    db.exec(
      'CREATE INDEX IF NOT EXISTS rollup_dirty_hours_by_hour ON rollup_dirty_hours (hour DESC, measurement)',
    );
    db.exec(
      'CREATE TABLE IF NOT EXISTS rollup_state (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL)',
    );
    // Above every seq in the table, so above any seq taken and not yet cleared.
    this.insert = db.prepare(`INSERT INTO rollup_dirty_hours (measurement, hour, seq)
      VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM rollup_dirty_hours))
      ON CONFLICT (measurement, hour) DO UPDATE SET seq = excluded.seq`);
    this.select = db.prepare(
      'SELECT measurement, hour, seq FROM rollup_dirty_hours ORDER BY hour DESC, measurement LIMIT ?',
    );
    this.remove = db.prepare('DELETE FROM rollup_dirty_hours WHERE measurement = ? AND hour = ? AND seq = ?');
  }

  async mark(hours: readonly HourKey[]): Promise<void> {
    if (hours.length === 0) return;
    transaction(this.db, () => {
      for (const { measurement, hour } of hours) this.insert.run(measurement, hour);
    });
  }

  async dirty(limit: number): Promise<DirtyHour[]> {
    return this.select.all(limit) as unknown as DirtyHour[];
  }

  async count(): Promise<number> {
    const row = this.db.prepare('SELECT count(*) AS n FROM rollup_dirty_hours').get() as { n: number };
    return row.n;
  }

  async clear(done: readonly DirtyHour[]): Promise<void> {
    transaction(this.db, () => {
      for (const { measurement, hour, seq } of done) this.remove.run(measurement, hour, seq);
    });
  }

  async readState(): Promise<RollupState> {
    const row = this.db.prepare('SELECT state FROM rollup_state WHERE id = 1').get() as
      | { state: string }
      | undefined;
    return row ? rollupState.parse(JSON.parse(row.state)) : {};
  }

  async writeState(state: RollupState): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO rollup_state (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state',
      )
      .run(JSON.stringify(rollupState.parse(state)));
  }
}
