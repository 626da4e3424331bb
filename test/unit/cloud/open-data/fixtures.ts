import { type Dataset, type DatasetInput, dataset } from '../../../../cloud/open-data/dataset.ts';

/** A dataset as an admin would define it, with what a test changes. */
export function datasetOf(overrides: Partial<DatasetInput> = {}): Dataset {
  return dataset.parse({
    id: 'people-by-zone',
    title: { cs: 'Počty chodců po zónách', en: 'Pedestrians by zone' },
    description: { cs: 'Součty za hodinu.', en: 'Hourly sums.' },
    kind: 'camera',
    metric: 'peopleCount',
    aggregate: 'sum',
    granularity: 'hour',
    unit: 'district',
    minCellSize: 10,
    delayMinutes: 24 * 60,
    keywords: { cs: ['chodci'], en: ['pedestrians'] },
    published: true,
    ...overrides,
  });
}
