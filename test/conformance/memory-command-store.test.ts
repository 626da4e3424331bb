import { MemoryCommandStore } from '../../cloud/commands/memory-store.ts';
import { commandStoreConformance } from './command-store.ts';

commandStoreConformance('in memory', () => new MemoryCommandStore());
