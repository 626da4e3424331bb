import { MemoryRuleStore } from '../../cloud/rules/memory-store.ts';
import { ruleStoreConformance } from './rule-store.ts';

ruleStoreConformance('in memory', () => new MemoryRuleStore());
