import type { Migration } from '../sqlite/migrations.ts';

/** The migrations of `journal.db`, in order; only ever appended to. */
export const journalMigrations: readonly Migration[] = [
  {
    // Journals of releases before 2026-11-22 kept one row per line: carried over, in order, once.
    name: 'carry the per-line journal over to one row per message',
    up: (db) => {
      const legacy = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal'")
        .get();
      if (!legacy) return;
      db.exec(`CREATE TABLE IF NOT EXISTS journal_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, lines TEXT NOT NULL, n INTEGER NOT NULL);
        INSERT INTO journal_entries (lines, n) SELECT line, 1 FROM journal ORDER BY id;
        DROP TABLE journal;`);
    },
  },
];
