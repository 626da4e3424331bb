import { MemoryDeliveryLog } from '../../cloud/notifications/memory-stores.ts';
import { deliveryLogConformance } from './delivery-log.ts';

deliveryLogConformance('in memory', () => new MemoryDeliveryLog());
