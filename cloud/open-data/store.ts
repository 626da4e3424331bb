import type { CatalogueSettings } from './catalogue-settings.ts';
import type { Dataset } from './dataset.ts';

/**
 * A tenant's open datasets and its catalogue's settings. test/conformance/dataset-store.ts is the
 * suite every store must pass.
 */
export interface DatasetStore {
  /** Every dataset, by id. */
  list(): Promise<Dataset[]>;
  get(id: string): Promise<Dataset | undefined>;
  /** Creates or replaces the dataset with its id. */
  put(dataset: Dataset): Promise<void>;
  /** False when there was none. */
  delete(id: string): Promise<boolean>;
  catalogue(): Promise<CatalogueSettings>;
  saveCatalogue(settings: CatalogueSettings): Promise<void>;
}
