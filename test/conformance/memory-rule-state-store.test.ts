import { MemoryRuleStateStore } from '../../cloud/rules/memory-state.ts';
import { ruleStateStoreConformance } from './rule-state-store.ts';

ruleStateStoreConformance('in memory', () => new MemoryRuleStateStore());
