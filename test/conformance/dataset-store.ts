import { describe, expect, it } from 'vitest';
import { type Dataset, dataset } from '../../cloud/open-data/dataset.ts';
import type { DatasetStore } from '../../cloud/open-data/store.ts';

/** The behaviour every DatasetStore must have; a new backend calls this with a factory for empty stores. */
export function datasetStoreConformance(
  name: string,
  createStore: () => DatasetStore | Promise<DatasetStore>,
) {
  const definition = (id: string, title: string): Dataset =>
    dataset.parse({
      id,
      title: { cs: title, en: title },
      description: { cs: 'Popis', en: 'Description' },
      kind: 'streetlight',
      metric: 'activePower',
      aggregate: 'mean',
      granularity: 'hour',
      unit: 'district',
      keywords: { cs: ['osvětlení'] },
    });

  describe(`DatasetStore conformance: ${name}`, () => {
    it('keeps datasets by id, the last put winning, and lists them by id', async () => {
      const store = await createStore();
      expect(await store.list()).toEqual([]);
      await store.put(definition('b-power', 'B'));
      await store.put(definition('a-power', 'A'));
      await store.put(definition('b-power', 'B again'));
      expect(await store.list()).toEqual([definition('a-power', 'A'), definition('b-power', 'B again')]);
      expect(await store.get('b-power')).toEqual(definition('b-power', 'B again'));
      expect(await store.get('none')).toBeUndefined();
    });

    it('deletes, and says whether there was one', async () => {
      const store = await createStore();
      await store.put(definition('a-power', 'A'));
      expect(await store.delete('a-power')).toBe(true);
      expect(await store.delete('a-power')).toBe(false);
      expect(await store.list()).toEqual([]);
    });

    it('keeps the catalogue settings, empty until saved', async () => {
      const store = await createStore();
      expect(await store.catalogue()).toEqual({});
      const settings = { publisher: { name: 'Statutární město Karlovy Vary', ico: '00254657' } };
      await store.saveCatalogue(settings);
      expect(await store.catalogue()).toEqual(settings);
      await store.saveCatalogue({ ruianMunicipality: '554961' });
      expect(await store.catalogue()).toEqual({ ruianMunicipality: '554961' });
    });

    it('hands out copies: changing what it returned changes nothing stored', async () => {
      const store = await createStore();
      const saved = definition('a-power', 'A');
      await store.put(saved);
      saved.title.cs = 'changed after saving';
      const read = (await store.get('a-power')) as Dataset;
      read.title.cs = 'changed after reading';
      expect(await store.get('a-power')).toEqual(definition('a-power', 'A'));
    });
  });
}
