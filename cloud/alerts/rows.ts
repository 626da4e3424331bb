import type { AlertSeverity } from '../../shared/severity.ts';
import type { AlertState } from './schema.ts';
import type { Alert } from './store.ts';

/** An alert as the databases keep it (SQLite, PostgreSQL): the row and the column of each field. */
export type Row = Record<string, unknown>;
const optional = (v: unknown) => (v === null ? undefined : String(v));

export function toAlert(row: Row): Alert {
  return {
    id: String(row.id),
    ruleId: String(row.rule_id),
    ruleName: String(row.rule_name),
    severity: row.severity as AlertSeverity,
    subject: JSON.parse(String(row.subject)),
    state: row.state as AlertState,
    summary: String(row.summary),
    firedAt: String(row.fired_at),
    lastMatchAt: String(row.last_match_at),
    acknowledgedAt: optional(row.acknowledged_at),
    acknowledgedBy: optional(row.acknowledged_by),
    assignee: optional(row.assignee),
    resolvedAt: optional(row.resolved_at),
    resolvedBy: optional(row.resolved_by),
    resolution: optional(row.resolution),
  };
}

export const columns: Record<keyof Omit<Alert, 'subject' | 'id'>, string> = {
  ruleId: 'rule_id',
  ruleName: 'rule_name',
  severity: 'severity',
  state: 'state',
  summary: 'summary',
  firedAt: 'fired_at',
  lastMatchAt: 'last_match_at',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  assignee: 'assignee',
  resolvedAt: 'resolved_at',
  resolvedBy: 'resolved_by',
  resolution: 'resolution',
};
