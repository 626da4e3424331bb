import type { PgSchema } from '../postgres/schema-name.ts';
import type { CatalogueSettings } from './catalogue-settings.ts';
import type { Dataset } from './dataset.ts';
import type { DatasetStore } from './store.ts';

/** Datasets and the catalogue's settings in PostgreSQL (one tenant's schema, cluster mode), kept as JSON text. */
export class PostgresDatasetStore implements DatasetStore {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async list(): Promise<Dataset[]> {
    const { rows } = await this.schema.pool.query<{ definition: string }>(
      `SELECT definition FROM ${this.schema.name}.open_datasets ORDER BY id`,
    );
    return rows.map((r) => JSON.parse(r.definition));
  }

  async get(id: string): Promise<Dataset | undefined> {
    const { rows } = await this.schema.pool.query<{ definition: string }>(
      `SELECT definition FROM ${this.schema.name}.open_datasets WHERE id = $1`,
      [id],
    );
    return rows[0] && JSON.parse(rows[0].definition);
  }

  async put(dataset: Dataset): Promise<void> {
    await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.open_datasets (id, definition) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition`,
      [dataset.id, JSON.stringify(dataset)],
    );
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.open_datasets WHERE id = $1`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  }

  async catalogue(): Promise<CatalogueSettings> {
    const { rows } = await this.schema.pool.query<{ settings: string }>(
      `SELECT settings FROM ${this.schema.name}.open_data_catalogue WHERE one = 1`,
    );
    return rows[0] ? JSON.parse(rows[0].settings) : {};
  }

  async saveCatalogue(settings: CatalogueSettings): Promise<void> {
    await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.open_data_catalogue (one, settings) VALUES (1, $1)
       ON CONFLICT (one) DO UPDATE SET settings = EXCLUDED.settings`,
      [JSON.stringify(settings)],
    );
  }
}
