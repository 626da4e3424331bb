import { MemoryAlertStore } from '../../cloud/alerts/memory-store.ts';
import { alertStoreConformance } from './alert-store.ts';

alertStoreConformance('in memory', () => new MemoryAlertStore());
