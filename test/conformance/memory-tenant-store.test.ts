import { MemoryTenantStore } from '../../cloud/tenants/memory-store.ts';
import { tenantStoreConformance } from './tenant-store.ts';

tenantStoreConformance('memory', () => new MemoryTenantStore());
