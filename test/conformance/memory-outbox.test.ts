import { MemoryOutbox } from '../../edge/outbox/memory-outbox.ts';
import { outboxConformance } from './outbox.ts';

outboxConformance('in memory', (limits) => new MemoryOutbox(limits));
