import { MemoryJournal } from '../../cloud/ingest/memory-journal.ts';
import { journalStoreConformance } from './journal-store.ts';

journalStoreConformance('in memory', (options) => new MemoryJournal(options));
