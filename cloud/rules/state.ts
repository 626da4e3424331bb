/** Per rule and subject: since when the condition holds, and when its alert last cleared. */
export interface SubjectState {
  since?: number;
  clearedAt?: number;
}

export const noState: SubjectState = Object.freeze({});

/**
 * Rule evaluation state, so `for` durations and flap protection survive a restart. The engine reads
 * it on every evaluation, so it answers from memory; test/conformance/rule-state-store.ts is the
 * suite every store must pass.
 */
export interface RuleStateStore {
  /** The state of a rule for a subject; empty when none was set. */
  get(ruleId: string, subjectId: string): SubjectState;
  set(ruleId: string, subjectId: string, state: SubjectState): void;
  /** Subjects of a rule whose condition holds but whose alert waits for its `for` duration. */
  pending(ruleId: string): string[];
  forgetRule(ruleId: string): void;
}
