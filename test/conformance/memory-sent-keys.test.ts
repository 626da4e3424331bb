import { MemorySentKeys } from '../../cloud/notifications/memory-stores.ts';
import { sentKeysConformance } from './sent-keys.ts';

sentKeysConformance('in memory', () => new MemorySentKeys());
