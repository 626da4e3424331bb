import type { z } from 'zod';
import type { AlertSeverity } from '../../shared/severity.ts';
import type { AlertState, alert, alertHistoryEntry, alertSubject } from './schema.ts';

export type AlertSubject = z.infer<typeof alertSubject>;
export type Alert = z.infer<typeof alert>;
export type AlertHistoryEntry = z.infer<typeof alertHistoryEntry>;

export interface AlertQuery {
  state?: AlertState | 'open';
  severity?: AlertSeverity;
  deviceKind?: string;
  district?: string;
  device?: string;
  ruleId?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

/** What happened in a period, for the daily digest. */
export interface AlertSummary {
  from: string;
  to: string;
  /** Open (firing or acknowledged) alerts now, by severity. */
  open: Record<string, number>;
  fired: number;
  escalated: number;
  acknowledged: number;
  resolved: number;
  /** The rules that fired most in the period (at most 10), most first. */
  topRules: { ruleId: string; ruleName: string; fired: number }[];
}

export type AlertChanges = Partial<Omit<Alert, 'id' | 'subject'>>;

/**
 * Alerts and their full history. The rules engine asks for open alerts on every evaluation, so a
 * store keeps the open ones in memory (`open`, `allOpen`, synchronous) and the rest where it likes.
 * A write changes what `open` and `allOpen` answer as soon as it is called, before it resolves, and
 * writes are applied in the order they are called: the rules engine writes behind. test/conformance/
 * alert-store.ts is the suite every store must pass (SQLite, in memory, PostgreSQL).
 */
export interface AlertStore {
  /** Stores a new alert and its `fired` history entry (acknowledgement, assignee, resolution come by `update`). */
  insert(alert: Alert, actor: string): Promise<void>;
  /** Applies changes and records what happened in the history, together. */
  update(id: string, changes: AlertChanges, entry?: AlertHistoryEntry): Promise<void>;
  get(id: string): Promise<(Alert & { history: AlertHistoryEntry[] }) | undefined>;
  /** The open (firing or acknowledged) alert of a rule for a subject, if any; the newest if several. */
  open(ruleId: string, subjectId: string): Alert | undefined;
  allOpen(): Alert[];
  /** The ids of the rules with an open alert for a subject. */
  openRules(subjectId: string): ReadonlySet<string>;
  /** Newest fired first (then by id); `from` inclusive, `to` exclusive, on the firing time. */
  list(query: AlertQuery): Promise<{ total: number; items: Alert[] }>;
  /** Transitions recorded in [from, to), alerts open now, and the rules that fired most in [from, to). */
  summary(from: string, to: string): Promise<AlertSummary>;
  /** Deletes resolved alerts (with their history) resolved before `before`; returns how many. */
  pruneResolved(before: string): Promise<number>;
  /**
   * Loads again what another node may have changed (a store shared by nodes that serves from memory:
   * PostgreSQL's); stores of one node have none.
   */
  refresh?(): Promise<void>;
  /** Resolves once every write called so far is stored (a store that writes behind); others have none. */
  settled?(): Promise<void>;
}
