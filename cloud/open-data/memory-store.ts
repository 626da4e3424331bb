import type { CatalogueSettings } from './catalogue-settings.ts';
import type { Dataset } from './dataset.ts';
import type { DatasetStore } from './store.ts';

/** Datasets in memory (kept as JSON, as a database keeps them), for tests. */
export class MemoryDatasetStore implements DatasetStore {
  private readonly datasets = new Map<string, string>();
  private settings = '{}';

  async list(): Promise<Dataset[]> {
    return [...this.datasets.keys()].sort().map((id) => JSON.parse(this.datasets.get(id) as string));
  }

  async get(id: string): Promise<Dataset | undefined> {
    const text = this.datasets.get(id);
    return text === undefined ? undefined : JSON.parse(text);
  }

  async put(dataset: Dataset): Promise<void> {
    this.datasets.set(dataset.id, JSON.stringify(dataset));
  }

  async delete(id: string): Promise<boolean> {
    return this.datasets.delete(id);
  }

  async catalogue(): Promise<CatalogueSettings> {
    return JSON.parse(this.settings);
  }

  async saveCatalogue(settings: CatalogueSettings): Promise<void> {
    this.settings = JSON.stringify(settings);
  }
}
