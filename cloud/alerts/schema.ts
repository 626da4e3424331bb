import { z } from 'zod';
import { type AlertSeverity, alertSeverity } from '../../shared/severity.ts';

/** firing → acknowledged → resolved (or firing → resolved). */
export const alertState = z.enum(['firing', 'acknowledged', 'resolved']);
export type AlertState = z.infer<typeof alertState>;

/** What happened to an alert; every transition is written to InfluxDB and announced. */
export const alertTransition = z.enum(['fired', 'escalated', 'acknowledged', 'resolved']);
export type AlertTransition = z.infer<typeof alertTransition>;

/** Every change of an alert, as the live stream reports it: the transitions, and assignments and comments. */
export const alertChangeKind = z.enum([...alertTransition.options, 'assigned', 'commented']);
export type AlertChangeKind = z.infer<typeof alertChangeKind>;

/** An alert is about one device, or about a group of devices (a district, a gateway). */
export const alertSubjectKind = z.enum(['device', 'group']);
export type AlertSubjectKind = z.infer<typeof alertSubjectKind>;

export const alertSubject = z
  .object({
    kind: alertSubjectKind,
    id: z.string().meta({ description: 'The device id, or the group: district:<name> or gateway:<id>' }),
    district: z.string().optional(),
    deviceKind: z.string().optional(),
  })
  .meta({ id: 'AlertSubject' });

/** An alert as stored and as the API answers it. */
export const alert = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    ruleName: z.string(),
    severity: alertSeverity,
    subject: alertSubject,
    state: alertState,
    summary: z.string(),
    firedAt: z.string(),
    lastMatchAt: z.string(),
    acknowledgedAt: z.string().optional(),
    acknowledgedBy: z.string().optional(),
    assignee: z.string().optional(),
    resolvedAt: z.string().optional(),
    resolvedBy: z.string().optional(),
    resolution: z.string().optional(),
  })
  .meta({ id: 'Alert' });

/** One step of an alert's history: fired, escalated, acknowledged, assigned, commented, resolved. */
export const alertHistoryEntry = z
  .object({ at: z.string(), actor: z.string(), action: z.string(), detail: z.unknown().optional() })
  .meta({ id: 'AlertHistoryEntry' });

export const alertWithHistory = alert
  .extend({ history: z.array(alertHistoryEntry) })
  .meta({ id: 'AlertWithHistory' });

/** What the alert lifecycle needs to know of the rule that fired (a rule of `rules/` is one). */
export interface AlertRule {
  id: string;
  name: string;
  severity: AlertSeverity;
  /** One alert per occurrence instead of at most one open alert per subject. */
  perOccurrence: boolean;
  channels: string[];
}
