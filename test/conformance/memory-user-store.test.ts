import { MemoryUserStore } from '../../cloud/access/memory-users.ts';
import { userStoreConformance } from './user-store.ts';

userStoreConformance('in memory', () => new MemoryUserStore());
