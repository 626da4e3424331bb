import { MemoryDirtyHourStore } from '../../cloud/rollups/memory-dirty-hours.ts';
import { dirtyHourStoreConformance } from './dirty-hour-store.ts';

dirtyHourStoreConformance('in memory', () => new MemoryDirtyHourStore());
