import { MemoryGatewayConfigStore } from '../../cloud/gateway-config/memory-store.ts';
import { gatewayConfigStoreConformance } from './gateway-config-store.ts';

gatewayConfigStoreConformance('in memory', () => new MemoryGatewayConfigStore());
