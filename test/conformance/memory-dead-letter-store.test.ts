import { MemoryDeadLetterStore } from '../../cloud/dead-letters/memory-store.ts';
import { deadLetterStoreConformance } from './dead-letter-store.ts';

deadLetterStoreConformance('in memory', (options) => new MemoryDeadLetterStore(options));
