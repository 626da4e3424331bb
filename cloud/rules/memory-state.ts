import { noState, type RuleStateStore, type SubjectState } from './state.ts';

/** Rule evaluation state in memory: the SQLite store's cache, and the store of tests, dry runs and benchmarks. */
export class MemoryRuleStateStore implements RuleStateStore {
  /** By rule, then subject. */
  private readonly rules = new Map<string, Map<string, SubjectState>>();
  /** The rules with a `since`, by subject: the engine asks on every reading. */
  private readonly pendingBySubject = new Map<string, Set<string>>();

  get(ruleId: string, subjectId: string): SubjectState {
    return this.rules.get(ruleId)?.get(subjectId) ?? noState;
  }

  async set(ruleId: string, subjectId: string, state: SubjectState): Promise<void> {
    this.apply(ruleId, subjectId, state);
  }

  /** Sets the state at once; returns whether it changed. */
  apply(ruleId: string, subjectId: string, state: SubjectState): boolean {
    let subjects = this.rules.get(ruleId);
    if (!subjects) {
      subjects = new Map();
      this.rules.set(ruleId, subjects);
    }
    const before = subjects.get(subjectId) ?? noState;
    if (before.since === state.since && before.clearedAt === state.clearedAt) return false;
    subjects.set(subjectId, { since: state.since, clearedAt: state.clearedAt });
    this.markPending(ruleId, subjectId, state.since !== undefined);
    return true;
  }

  private markPending(ruleId: string, subjectId: string, pending: boolean): void {
    let rules = this.pendingBySubject.get(subjectId);
    if (pending) {
      if (!rules) {
        rules = new Set();
        this.pendingBySubject.set(subjectId, rules);
      }
      rules.add(ruleId);
    } else if (rules?.delete(ruleId) && rules.size === 0) this.pendingBySubject.delete(subjectId);
  }

  pendingRules(subjectId: string): ReadonlySet<string> {
    return this.pendingBySubject.get(subjectId) ?? none;
  }

  pending(ruleId: string): string[] {
    const subjects: string[] = [];
    for (const [subject, state] of this.rules.get(ruleId) ?? [])
      if (state.since !== undefined) subjects.push(subject);
    return subjects;
  }

  async forgetRule(ruleId: string): Promise<void> {
    for (const subjectId of this.rules.get(ruleId)?.keys() ?? []) this.markPending(ruleId, subjectId, false);
    this.rules.delete(ruleId);
  }

  async pruneCleared(before: number): Promise<number> {
    return this.staleCleared(before).filter(([ruleId, subjectId]) =>
      this.rules.get(ruleId)?.delete(subjectId),
    ).length;
  }

  /** The (rule, subject) pairs `pruneCleared(before)` forgets. */
  staleCleared(before: number): [string, string][] {
    const stale: [string, string][] = [];
    for (const [ruleId, subjects] of this.rules)
      for (const [subjectId, state] of subjects)
        if (state.since === undefined && state.clearedAt !== undefined && state.clearedAt < before)
          stale.push([ruleId, subjectId]);
    return stale;
  }
}

const none: ReadonlySet<string> = new Set();
