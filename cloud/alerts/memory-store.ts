import { OpenAlerts } from './open-alerts.ts';
import type {
  Alert,
  AlertChanges,
  AlertHistoryEntry,
  AlertQuery,
  AlertStore,
  AlertSummary,
} from './store.ts';

/** What a stored detail reads back as (a database keeps it as JSON). */
const asStored = (detail: unknown) => (detail === undefined ? undefined : JSON.parse(JSON.stringify(detail)));

/** Alerts in memory, for tests, dry runs and benchmarks: the behaviour of the SQLite store, lost on exit. */
export class MemoryAlertStore implements AlertStore {
  private readonly alerts = new Map<string, { alert: Alert; history: AlertHistoryEntry[] }>();
  private readonly openAlerts = new OpenAlerts();

  async insert(alert: Alert, actor: string): Promise<void> {
    if (this.alerts.has(alert.id)) throw new Error(`alert ${alert.id} exists already`);
    const { id, ruleId, ruleName, severity, subject, state, summary, firedAt, lastMatchAt } = alert;
    const stored = {
      id,
      ruleId,
      ruleName,
      severity,
      subject: { ...subject },
      state,
      summary,
      firedAt,
      lastMatchAt,
    };
    this.alerts.set(alert.id, { alert: stored, history: [] });
    this.record(alert.id, { at: alert.firedAt, actor, action: 'fired', detail: { summary: alert.summary } });
    this.openAlerts.index({ ...stored });
  }

  async update(id: string, changes: AlertChanges, entry?: AlertHistoryEntry): Promise<void> {
    const stored = this.alerts.get(id);
    if (!stored) {
      if (entry) throw new Error(`alert ${id} does not exist: no history entry recorded`);
      return;
    }
    stored.alert = { ...stored.alert, ...changes };
    if (entry) this.record(id, entry);
    this.openAlerts.index({ ...stored.alert });
  }

  private record(id: string, entry: AlertHistoryEntry): void {
    this.alerts.get(id)?.history.push({ ...entry, detail: asStored(entry.detail) });
  }

  async get(id: string): Promise<(Alert & { history: AlertHistoryEntry[] }) | undefined> {
    const stored = this.alerts.get(id);
    return (
      stored && {
        ...copy(stored.alert),
        history: stored.history.map((h) => ({ ...h, detail: asStored(h.detail) })),
      }
    );
  }

  open(ruleId: string, subjectId: string): Alert | undefined {
    return this.openAlerts.get(ruleId, subjectId);
  }

  openRules(subjectId: string): ReadonlySet<string> {
    return this.openAlerts.rulesOf(subjectId);
  }

  allOpen(): Alert[] {
    return this.openAlerts.all();
  }

  async list(query: AlertQuery): Promise<{ total: number; items: Alert[] }> {
    const matches = (a: Alert) =>
      (query.state === 'open'
        ? a.state !== 'resolved'
        : query.state === undefined || a.state === query.state) &&
      (query.severity === undefined || a.severity === query.severity) &&
      (query.deviceKind === undefined || a.subject.deviceKind === query.deviceKind) &&
      (query.district === undefined || a.subject.district === query.district) &&
      (query.device === undefined || a.subject.id === query.device) &&
      (query.ruleId === undefined || a.ruleId === query.ruleId) &&
      (query.from === undefined || a.firedAt >= query.from) &&
      (query.to === undefined || a.firedAt < query.to);
    const found = [...this.alerts.values()]
      .map((s) => s.alert)
      .filter(matches)
      .sort((a, b) => compare(b.firedAt, a.firedAt) || compare(a.id, b.id));
    return { total: found.length, items: found.slice(query.offset, query.offset + query.limit).map(copy) };
  }

  async summary(from: string, to: string): Promise<AlertSummary> {
    const stored = [...this.alerts.values()];
    const count = (action: string) =>
      stored.flatMap((s) => s.history).filter((h) => h.action === action && h.at >= from && h.at < to).length;
    const open: Record<string, number> = {};
    for (const { alert } of stored)
      if (alert.state !== 'resolved') open[alert.severity] = (open[alert.severity] ?? 0) + 1;
    const fired = new Map<string, { ruleId: string; ruleName: string; fired: number }>();
    for (const { alert } of stored) {
      if (alert.firedAt < from || alert.firedAt >= to) continue;
      const key = JSON.stringify([alert.ruleId, alert.ruleName]);
      const entry = fired.get(key) ?? { ruleId: alert.ruleId, ruleName: alert.ruleName, fired: 0 };
      entry.fired++;
      fired.set(key, entry);
    }
    const topRules = [...fired.values()].sort((a, b) => b.fired - a.fired).slice(0, 10);
    return {
      from,
      to,
      open,
      fired: count('fired'),
      escalated: count('escalated'),
      acknowledged: count('acknowledged'),
      resolved: count('resolved'),
      topRules,
    };
  }

  async pruneResolved(before: string): Promise<number> {
    let pruned = 0;
    for (const [id, { alert }] of this.alerts) {
      if (alert.state === 'resolved' && alert.resolvedAt !== undefined && alert.resolvedAt < before) {
        this.alerts.delete(id);
        pruned++;
      }
    }
    return pruned;
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const copy = (alert: Alert): Alert => ({ ...alert, subject: { ...alert.subject } });
