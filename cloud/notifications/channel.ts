import { z } from 'zod';
import { timestamp } from '../../shared/ids.ts';
import { alertSeverity } from '../../shared/severity.ts';
import { alertSubjectKind, alertTransition } from '../alerts/schema.ts';

/** One alert state change, as every channel receives it. */
export const alertNotification = z.object({
  alertId: z.string().min(1).max(200),
  ruleId: z.string().min(1).max(200),
  ruleName: z.string().min(1).max(200),
  severity: alertSeverity,
  transition: alertTransition,
  subject: z.object({
    kind: alertSubjectKind,
    id: z.string().min(1).max(200),
    district: z.string().max(200).optional(),
    deviceKind: z.string().max(64).optional(),
  }),
  at: timestamp,
  summary: z.string().max(2_000),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AlertNotification = z.infer<typeof alertNotification>;

const count = z.int().min(0);

/** What the alert store reports for one digest period; `collect()` returns it. */
export const digestSummary = z.object({
  from: timestamp,
  to: timestamp,
  /** Alerts still open (firing or acknowledged) at `to`, by severity. */
  open: z.partialRecord(alertSeverity, count),
  fired: count,
  escalated: count,
  acknowledged: count,
  resolved: count,
  /** The rules that fired most in the period, most first. */
  topRules: z
    .array(z.object({ ruleId: z.string(), ruleName: z.string(), fired: count }))
    .max(20)
    .default([]),
});
export type DigestSummary = z.infer<typeof digestSummary>;
export type DigestSummaryInput = z.input<typeof digestSummary>;

/** The daily digest message, sent once per channel. */
export const alertDigest = z.object({
  /** Stable for one period (`digest:<local date>`), so a restart does not send the same digest twice. */
  digestId: z.string().min(1).max(200),
  at: timestamp,
  timezone: z.string(),
  summary: z.string().max(2_000),
  stats: digestSummary,
});
export type AlertDigest = z.infer<typeof alertDigest>;

/** A way to tell people about alerts. Implementations: webhook, MQTT topic, log. */
export interface Channel {
  readonly name: string;
  /** Resolves once the notification is delivered; rejects once delivery has finally failed. */
  send(notification: AlertNotification): Promise<void>;
  /** Optional: channels without it receive no digest. */
  sendDigest?(digest: AlertDigest): Promise<void>;
  /** Stops pending work (retries) so the process can exit. */
  close?(): Promise<void>;
}
