import { MemorySessionStore } from '../../cloud/access/memory-sessions.ts';
import { sessionStoreConformance } from './session-store.ts';

sessionStoreConformance('in memory', () => new MemorySessionStore());
