/** Per rule and subject: since when the condition holds, and when its alert last cleared. */
export interface SubjectState {
  since?: number;
  clearedAt?: number;
}

export const noState: SubjectState = Object.freeze({});

/**
 * Rule evaluation state, so `for` durations and flap protection survive a restart. The engine reads
 * it on every evaluation, so a store keeps it in memory (`get`, `pending`, synchronous); a write
 * changes what they answer as soon as it is called, and writes are applied in the order they are
 * called: the engine writes behind. test/conformance/rule-state-store.ts is the suite every store
 * must pass.
 */
export interface RuleStateStore {
  /** The state of a rule for a subject; empty when none was set. */
  get(ruleId: string, subjectId: string): SubjectState;
  set(ruleId: string, subjectId: string, state: SubjectState): Promise<void>;
  /** Subjects of a rule whose condition holds but whose alert waits for its `for` duration. */
  pending(ruleId: string): string[];
  /** The rules whose condition holds for a subject, waiting out `for` (the `pending` of a subject). */
  pendingRules(subjectId: string): ReadonlySet<string>;
  forgetRule(ruleId: string): Promise<void>;
  /**
   * Forgets the states whose condition does not hold (no `since`) and whose alert cleared before
   * `before` (epoch ms): they only served flap protection, long over. Returns how many
   * (RULE_STATE_RETENTION_DAYS, longer than any rule's `minInterval`).
   */
  pruneCleared(before: number): Promise<number>;
  /** Loads again what another node may have changed (PostgreSQL's store); stores of one node have none. */
  refresh?(): Promise<void>;
  /** Resolves once every write called so far is stored (a store that writes behind); others have none. */
  settled?(): Promise<void>;
}
