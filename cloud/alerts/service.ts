import { randomUUID } from 'node:crypto';
import { Point } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import { oneLine } from '../../shared/ids.ts';
import type { AlertSeverity } from '../../shared/severity.ts';
import { ConflictError, NotFoundError } from '../errors/domain-error.ts';
import type { Counters } from '../monitoring/counters.ts';
import { alertEventMeasurement } from '../storage/measurements.ts';
import { type PointWriter, toLine } from '../storage/point-writer.ts';
import type { AlertChangeKind, AlertRule, AlertTransition } from './schema.ts';
import type { Alert, AlertStore, AlertSubject } from './store.ts';

/** Where alert transitions are announced (webhook, MQTT, log channels). */
export interface AlertAnnouncer {
  announce(channels: string[], alert: Alert, transition: AlertTransition, at: string): void;
}

export interface AlertServiceOptions {
  store: AlertStore;
  /** Where each transition's `alert_event` point goes (the journal, in the cloud). */
  points: PointWriter;
  counters: Counters;
  log: Logger;
  announcer: AlertAnnouncer;
  now: () => Date;
  /** Told of every change of an alert (the live stream, the map's device states), once the store answers with it. */
  onChange?: (change: AlertChangeKind, alert: Alert) => void;
}

/**
 * The alert lifecycle: firing → acknowledged (who, when, note) → resolved (by the clear condition,
 * auto-clear, or by hand with who and why); assignee and comments; full history. Every transition
 * is written to InfluxDB (`alert_event`, for Grafana annotations) and announced on the rule's
 * channels once. What the rules engine calls (fire, clear, escalate) does not wait for the store:
 * the store's open alerts change at once, its writes follow in order, and a failed one is logged.
 */
export class AlertService {
  private readonly options: AlertServiceOptions;
  private channelsOf = new Map<string, string[]>();

  constructor(options: AlertServiceOptions) {
    this.options = options;
  }

  /** Opens an alert unless one is open for this rule and subject (or the rule wants one per occurrence). */
  fire(rule: AlertRule, subject: AlertSubject, summary: string): Alert {
    const { store, counters } = this.options;
    const at = this.options.now().toISOString();
    const existing = rule.perOccurrence ? undefined : store.open(rule.id, subject.id);
    if (existing) {
      // Refreshed at most every 30 s: enough for auto-clear, without a write per matching reading.
      if (Date.parse(at) - Date.parse(existing.lastMatchAt) >= 30_000)
        void this.writeBehind(store.update(existing.id, { lastMatchAt: at }), existing.id);
      return existing;
    }
    const alert: Alert = {
      id: randomUUID(),
      ruleId: rule.id,
      ruleName: rule.name,
      severity: rule.severity,
      subject,
      state: 'firing',
      summary,
      firedAt: at,
      lastMatchAt: at,
    };
    counters.add('alerts_fired');
    this.channelsOf.set(rule.id, rule.channels);
    this.announceOnceStored(store.insert(alert, 'rules'), alert, 'fired', at);
    this.changed('fired', alert);
    return alert;
  }

  /** The rule's clear condition held, or the alert aged out (auto-clear): `alert` as the store has it open. */
  clear(alert: Alert, reason: string): void {
    if (alert.state === 'resolved') return;
    const at = this.options.now().toISOString();
    const write = this.options.store.update(
      alert.id,
      { state: 'resolved', resolvedAt: at, resolvedBy: 'rules', resolution: reason },
      { at, actor: 'rules', action: 'resolved', detail: { reason } },
    );
    this.options.counters.add('alerts_resolved');
    this.announceOnceStored(write, { ...alert, state: 'resolved' }, 'resolved', at);
    this.changed('resolved', {
      ...alert,
      state: 'resolved',
      resolvedAt: at,
      resolvedBy: 'rules',
      resolution: reason,
    });
  }

  /** Raises the severity of an alert nobody acknowledged in time; announced as an escalation. */
  escalate(alert: Alert, severity: AlertSeverity): void {
    if (alert.state !== 'firing' || alert.severity === severity) return;
    const at = this.options.now().toISOString();
    const write = this.options.store.update(
      alert.id,
      { severity },
      { at, actor: 'rules', action: 'escalated', detail: { from: alert.severity, to: severity } },
    );
    this.options.counters.add('alerts_escalated');
    this.announceOnceStored(write, { ...alert, severity }, 'escalated', at);
    this.changed('escalated', { ...alert, severity });
  }

  async acknowledge(id: string, actor: string, note?: string): Promise<Alert> {
    const alert = await this.require(id);
    if (alert.state !== 'firing') throw new ConflictError(`alert ${id} is ${alert.state}, not firing`);
    const at = this.options.now().toISOString();
    await this.options.store.update(
      id,
      { state: 'acknowledged', acknowledgedAt: at, acknowledgedBy: actor },
      { at, actor, action: 'acknowledged', detail: { note } },
    );
    this.transition({ ...alert, state: 'acknowledged' }, 'acknowledged', at);
    return this.changedInStore('acknowledged', id);
  }

  async assign(id: string, actor: string, assignee: string): Promise<Alert> {
    await this.require(id);
    const at = this.options.now().toISOString();
    await this.options.store.update(
      id,
      { assignee },
      { at, actor, action: 'assigned', detail: { assignee } },
    );
    return this.changedInStore('assigned', id);
  }

  async comment(id: string, actor: string, text: string): Promise<Alert> {
    await this.require(id);
    await this.options.store.update(
      id,
      {},
      { at: this.options.now().toISOString(), actor, action: 'comment', detail: { text } },
    );
    return this.changedInStore('commented', id);
  }

  async resolve(id: string, actor: string, reason: string): Promise<Alert> {
    const alert = await this.require(id);
    if (alert.state === 'resolved') throw new ConflictError(`alert ${id} is already resolved`);
    const at = this.options.now().toISOString();
    await this.options.store.update(
      id,
      { state: 'resolved', resolvedAt: at, resolvedBy: actor, resolution: reason },
      { at, actor, action: 'resolved', detail: { reason } },
    );
    this.transition({ ...alert, state: 'resolved' }, 'resolved', at);
    return this.changedInStore('resolved', id);
  }

  /** Reports a change made through the API with the alert as stored now; returns that alert (with its history). */
  private async changedInStore(change: AlertChangeKind, id: string) {
    const stored = await this.require(id);
    const { history: _history, ...alert } = stored;
    this.changed(change, alert);
    return stored;
  }

  private changed(change: AlertChangeKind, alert: Alert): void {
    try {
      this.options.onChange?.(change, alert);
    } catch (error) {
      this.options.log.error({ err: error, alertId: alert.id }, 'alert change listener failed');
    }
  }

  private async require(id: string) {
    const alert = await this.options.store.get(id);
    if (!alert) throw new NotFoundError(`alert ${id} does not exist`);
    return alert;
  }

  /** A write the rules engine does not wait for: a failure is logged with the alert. */
  private writeBehind(write: Promise<void>, alertId: string): Promise<void> {
    return write.catch((error: Error) => {
      this.options.log.error({ err: error, alertId }, 'alert change not stored');
    });
  }

  /**
   * Announces a transition once its write is stored (or failed, logged): a node that dies before its
   * alert is stored has announced nothing, and the node taking over its rules raises the alert once.
   */
  private announceOnceStored(
    write: Promise<void>,
    alert: Alert,
    transition: AlertTransition,
    at: string,
  ): void {
    void this.writeBehind(write, alert.id).then(() => this.transition(alert, transition, at));
  }

  /**
   * Announces again the open alerts fired since `since` (ISO 8601): what a node that took over the
   * rules does, since the node before it may have stored an alert and died before announcing it.
   * Announcing twice is harmless: a notification is sent once per alert, transition and channel (the
   * sent keys), and the `alert_event` point is the same point again.
   */
  announceFiredSince(since: string): number {
    const recent = this.options.store.allOpen().filter((alert) => alert.firedAt >= since);
    for (const alert of recent) this.transition(alert, 'fired', alert.firedAt);
    return recent.length;
  }

  /** Remembers each rule's channels (rules change at run time). */
  setChannels(ruleId: string, channels: string[]): void {
    this.channelsOf.set(ruleId, channels);
  }

  private transition(alert: Alert, transition: AlertTransition, at: string): void {
    const point = new Point(alertEventMeasurement)
      .tag('rule', alert.ruleId)
      .tag('severity', alert.severity)
      .tag('transition', transition)
      .tag('subject', alert.subject.id)
      .stringField('alertId', alert.id)
      .stringField('summary', oneLine(alert.summary))
      .timestamp(new Date(at));
    if (alert.subject.district) point.tag('district', alert.subject.district);
    void this.writePoint(toLine(point), alert.id);
    this.options.announcer.announce(this.channelsOf.get(alert.ruleId) ?? ['log'], alert, transition, at);
  }

  private async writePoint(line: string, alertId: string): Promise<void> {
    try {
      await this.options.points.write([line]);
    } catch (error) {
      this.options.log.error({ err: error, alertId }, 'alert event not written');
    }
  }
}
