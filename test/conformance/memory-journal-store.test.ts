import { MemoryJournal } from '../../cloud/storage/memory-journal.ts';
import { journalStoreConformance } from './journal-store.ts';

journalStoreConformance('in memory', (options) => new MemoryJournal(options));
