import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-error.ts';
import { type CatalogueSettings, catalogueSettings } from './catalogue-settings.ts';
import { countsPeople, type Dataset, dataset } from './dataset.ts';
import type { DatasetStore } from './store.ts';

function parseDataset(input: unknown): Dataset {
  const parsed = dataset.safeParse(input);
  if (!parsed.success) throw new ValidationError('body', parsed.error, 'Invalid dataset');
  return parsed.data;
}

/**
 * A count of people published by district and by zone would let one subtract the zones inside a
 * district from the district (docs/open-data.md): the other datasets of the same metric must use
 * the same spatial unit.
 */
function otherUnitOfPeople(candidate: Dataset, others: Dataset[]): Dataset | undefined {
  if (!countsPeople(candidate.kind, candidate.metric)) return undefined;
  return others.find(
    (o) =>
      o.id !== candidate.id &&
      o.kind === candidate.kind &&
      o.metric === candidate.metric &&
      o.unit !== candidate.unit,
  );
}

/** A tenant's open datasets: defined, changed and deleted by its admins; each checked before it is kept. */
export class DatasetService {
  private readonly store: DatasetStore;

  constructor(store: DatasetStore) {
    this.store = store;
  }

  list(): Promise<Dataset[]> {
    return this.store.list();
  }

  async get(id: string): Promise<Dataset> {
    const found = await this.store.get(id);
    if (!found) throw new NotFoundError(`dataset ${id} does not exist`);
    return found;
  }

  /** The published dataset with this id; the same 404 whether it does not exist or is not published. */
  async published(id: string): Promise<Dataset> {
    const found = await this.store.get(id);
    if (!found?.published) throw new NotFoundError(`no published dataset ${id}`);
    return found;
  }

  async create(input: unknown): Promise<Dataset> {
    const candidate = parseDataset(input);
    if (await this.store.get(candidate.id))
      throw new ConflictError(
        `dataset ${candidate.id} exists; PUT /api/v1/open-data/datasets/${candidate.id} changes it`,
      );
    return this.save(candidate);
  }

  /** Replaces an existing dataset (the id is the one in the path); returns it before and after. */
  async replace(id: string, input: unknown): Promise<{ before: Dataset; after: Dataset }> {
    const before = await this.get(id);
    const after = await this.save(parseDataset({ ...(input as object), id }));
    return { before, after };
  }

  /** Returns what was deleted. */
  async delete(id: string): Promise<Dataset> {
    const before = await this.get(id);
    await this.store.delete(id);
    return before;
  }

  catalogue(): Promise<CatalogueSettings> {
    return this.store.catalogue();
  }

  async saveCatalogue(input: unknown): Promise<CatalogueSettings> {
    const parsed = catalogueSettings.safeParse(input);
    if (!parsed.success) throw new ValidationError('body', parsed.error, 'Invalid catalogue settings');
    await this.store.saveCatalogue(parsed.data);
    return parsed.data;
  }

  private async save(candidate: Dataset): Promise<Dataset> {
    const clash = otherUnitOfPeople(candidate, await this.store.list());
    if (clash)
      throw new ConflictError(
        `dataset ${clash.id} publishes ${candidate.metric} by ${clash.unit}: a count of people is published at one spatial unit only (one could subtract one from the other)`,
      );
    await this.store.put(candidate);
    return candidate;
  }
}
