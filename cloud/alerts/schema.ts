import { z } from 'zod';

export const alertSeverity = z.enum(['info', 'warning', 'minor', 'major', 'critical']);
export type AlertSeverity = z.infer<typeof alertSeverity>;

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

/** What the alert lifecycle needs to know of the rule that fired (a rule of `rules/` is one). */
export interface AlertRule {
  id: string;
  name: string;
  severity: AlertSeverity;
  /** One alert per occurrence instead of at most one open alert per subject. */
  perOccurrence: boolean;
  channels: string[];
}
