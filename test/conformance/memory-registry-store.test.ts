import { MemoryRegistryStore } from '../../cloud/registry/memory-store.ts';
import { registryStoreConformance } from './registry-store.ts';

registryStoreConformance('in memory', () => new MemoryRegistryStore());
