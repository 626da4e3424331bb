import { MemoryDatasetStore } from '../../cloud/open-data/memory-store.ts';
import { datasetStoreConformance } from './dataset-store.ts';

datasetStoreConformance('in memory', () => new MemoryDatasetStore());
