import { MemoryTokenStore } from '../../cloud/access/memory-tokens.ts';
import { tokenStoreConformance } from './token-store.ts';

tokenStoreConformance('in memory', () => new MemoryTokenStore());
