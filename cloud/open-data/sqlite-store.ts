import type { DatabaseSync } from 'node:sqlite';
import type { CatalogueSettings } from './catalogue-settings.ts';
import type { Dataset } from './dataset.ts';
import type { DatasetStore } from './store.ts';

/** Datasets and the catalogue's settings in the tenant's embedded database. */
export class SqliteDatasetStore implements DatasetStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS open_datasets (id TEXT PRIMARY KEY, definition TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS open_data_catalogue (one INTEGER PRIMARY KEY CHECK (one = 1), settings TEXT NOT NULL);`);
  }

  async list(): Promise<Dataset[]> {
    const rows = this.db.prepare('SELECT definition FROM open_datasets ORDER BY id').all() as {
      definition: string;
    }[];
    return rows.map((r) => JSON.parse(r.definition));
  }

  async get(id: string): Promise<Dataset | undefined> {
    const row = this.db.prepare('SELECT definition FROM open_datasets WHERE id = ?').get(id) as
      | { definition: string }
      | undefined;
    return row && JSON.parse(row.definition);
  }

  async put(dataset: Dataset): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO open_datasets (id, definition) VALUES (?, ?)')
      .run(dataset.id, JSON.stringify(dataset));
  }

  async delete(id: string): Promise<boolean> {
    return Number(this.db.prepare('DELETE FROM open_datasets WHERE id = ?').run(id).changes) > 0;
  }

  async catalogue(): Promise<CatalogueSettings> {
    const row = this.db.prepare('SELECT settings FROM open_data_catalogue WHERE one = 1').get() as
      | { settings: string }
      | undefined;
    return row ? JSON.parse(row.settings) : {};
  }

  async saveCatalogue(settings: CatalogueSettings): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO open_data_catalogue (one, settings) VALUES (1, ?)')
      .run(JSON.stringify(settings));
  }
}
