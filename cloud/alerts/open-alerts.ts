import type { Alert } from './store.ts';

/**
 * Open alerts by rule, then subject, in memory: the rules engine asks for them on every evaluation.
 * Every alert store keeps one and passes it each alert it stores or changes.
 */
export class OpenAlerts {
  private readonly byRule = new Map<string, Map<string, Alert>>();
  /** The rules with an open alert, by subject: the rules engine asks on every reading. */
  private readonly bySubject = new Map<string, Set<string>>();

  /** Takes in the current state of an alert: an open one is remembered (the newest per subject), a resolved one forgotten. */
  index(alert: Alert): void {
    let subjects = this.byRule.get(alert.ruleId);
    if (!subjects) {
      subjects = new Map();
      this.byRule.set(alert.ruleId, subjects);
    }
    const key = alert.subject.id;
    if (alert.state === 'resolved') {
      if (subjects.get(key)?.id === alert.id) {
        subjects.delete(key);
        const rules = this.bySubject.get(key);
        rules?.delete(alert.ruleId);
        if (rules?.size === 0) this.bySubject.delete(key);
      }
    } else {
      const current = subjects.get(key);
      if (!current || current.id === alert.id || current.firedAt <= alert.firedAt) {
        subjects.set(key, alert);
        const rules = this.bySubject.get(key) ?? new Set();
        this.bySubject.set(key, rules.add(alert.ruleId));
      }
    }
  }

  /** The rules with an open alert for a subject. */
  rulesOf(subjectId: string): ReadonlySet<string> {
    return this.bySubject.get(subjectId) ?? none;
  }

  get(ruleId: string, subjectId: string): Alert | undefined {
    return this.byRule.get(ruleId)?.get(subjectId);
  }

  all(): Alert[] {
    return [...this.byRule.values()].flatMap((subjects) => [...subjects.values()]);
  }
}

const none: ReadonlySet<string> = new Set();
