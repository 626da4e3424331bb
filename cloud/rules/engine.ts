import type { Logger } from 'pino';
import type { City } from '../../shared/fleet.ts';
import type { DeviceEvent, DeviceKind, MetricValue, Reading } from '../../shared/kinds/index.ts';
import { durationMs } from '../../shared/rules/schema.ts';
import type { AlertSeverity } from '../../shared/severity.ts';
import type { AlertService } from '../alerts/service.ts';
import type { Alert, AlertStore } from '../alerts/store.ts';
import { defaultBudgetMs } from '../lifecycle/timed-runs.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { DeviceRecord } from '../registry/store.ts';
import { CandidateIndex, type Candidates } from './candidate-index.ts';
import { type DeviceFacts, eventsOf, holds, isTimed, metricsOf } from './conditions.ts';
import { GroupTally } from './group-tally.ts';
import { LastParsed } from './last-parsed.ts';
import { SampleHistory } from './sample-history.ts';
import type { Rule } from './schema.ts';
import type { RuleStateStore } from './state.ts';
import { passing } from './threshold-index.ts';

export interface EngineOptions {
  alerts: AlertService;
  alertStore: AlertStore;
  registry: DeviceRegistry;
  states: RuleStateStore;
  counters: Counters;
  log: Logger;
  now: () => Date;
  isActive: (rule: Rule, at: Date, city: City | undefined) => boolean;
  /**
   * Whether this engine evaluates now (always, but in cluster mode: while its node holds the tenant's
   * rules lease). When it does not, readings, events, timers and rule removals change nothing.
   */
  evaluates?: () => boolean;
}

/**
 * Evaluates rules. Per-reading conditions run on ingest, looked up by kind and metric (or event), so
 * a reading costs as many evaluations as there are rules on what it carries. Timers (`tick`) cover
 * what needs no new data: absence, pending `for` durations, auto-clear, schedules and group rules.
 */
export class RuleEngine {
  private readonly options: EngineOptions;
  private rules: Rule[] = [];
  private index = new Map<DeviceKind, CandidateIndex>();
  /** Windowed metric samples per device (only for metrics some rule looks back over). */
  private readonly history = new SampleHistory();
  /** Schedule state per rule, computed at most once per minute (sun windows are costly to compute). */
  private readonly activeCache = new Map<Rule, { minute: number; active: boolean }>();
  /** Rules whose condition is only about events (they do not clear when the event is absent). */
  private eventOnly = new Set<Rule>();
  /** Devices recorded together share their last-seen time: parsed once for all of them. */
  private readonly lastSeen = new LastParsed();
  /** A device never heard from counts as silent since the engine started, not since forever. */
  private readonly startedAt: number;
  /** A sliced tick is running (`tickInSlices`). */
  private ticking = false;

  constructor(options: EngineOptions) {
    this.options = options;
    this.startedAt = options.now().getTime();
  }

  setRules(rules: Rule[]): void {
    this.rules = rules.filter((r) => r.enabled);
    this.index = new Map();
    this.activeCache.clear();
    this.eventOnly = new Set(
      this.rules.filter((r) => eventsOf(r.condition).size > 0 && metricsOf(r.condition).size === 0),
    );
    for (const rule of this.rules) {
      const entry = this.index.get(rule.target.kind) ?? new CandidateIndex(rule.target.kind);
      this.index.set(rule.target.kind, entry);
      entry.add(rule);
    }
    for (const rule of rules) if (!rule.enabled) this.clearAll(rule.id, 'rule disabled');
  }

  private evaluates(): boolean {
    return this.options.evaluates?.() ?? true;
  }

  private targets(rule: Rule, device: DeviceRecord): boolean {
    const t = rule.target;
    return (
      t.kind === device.kind &&
      (!t.devices || t.devices.includes(device.id)) &&
      (!t.districts || t.districts.includes(device.district)) &&
      (!t.gateways || t.gateways.includes(device.gatewayId))
    );
  }

  private scheduled(rule: Rule, now: number): boolean {
    if (!rule.schedule) return true;
    const minute = Math.floor(now / 60_000);
    const cached = this.activeCache.get(rule);
    if (cached?.minute === minute) return cached.active;
    const active = this.options.isActive(rule, new Date(now), this.options.registry.city);
    this.activeCache.set(rule, { minute, active });
    return active;
  }

  private facts(device: DeviceRecord, now: number, events: ReadonlySet<string> = noEvents): DeviceFacts {
    return {
      now,
      latest: device.latest as Record<string, MetricValue>,
      history: this.history.of(device.id),
      events,
      lastSeen: device.lastSeen ? this.lastSeen.parse(device.lastSeen) : this.startedAt,
    };
  }

  /** After the registry recorded the readings. */
  onReadings(readings: Reading[]): void {
    if (!this.evaluates()) return;
    const now = this.options.now().getTime();
    for (const reading of readings) {
      const entry = this.index.get(reading.kind);
      const device = entry && this.options.registry.record(reading.deviceId);
      if (!entry || !device) continue;
      this.history.remember(reading, entry.windows);
      // A reading claiming another kind than the device's concerns none of the device's rules.
      if (device.kind !== reading.kind) continue;
      this.evaluateReading(device, entry.forReading(reading, device.district), now);
    }
  }

  /**
   * The rules concerning a reading. A rule is stepped only where its condition holds, or where the
   * device has a pending `for` or an open alert for it: elsewhere its step would change nothing (no
   * state to reset, no alert to clear). Plain thresholds are not even compared one by one: the
   * threshold index finds those the value passes. Every indexed rule targets the device (same kind;
   * districts by filing), so each still counts as an evaluation.
   */
  private evaluateReading(device: DeviceRecord, candidates: Candidates, now: number): void {
    const facts = this.facts(device, now);
    const pending = this.options.states.pendingRules(device.id);
    const open = this.options.alertStore.openRules(device.id);
    const engaged = pending.size + open.size > 0;
    let evaluated = candidates.indexed.size;
    for (const { rule, holds: test } of candidates.general) {
      if (!this.targets(rule, device)) continue;
      evaluated++;
      const stateful = engaged && (pending.has(rule.id) || open.has(rule.id));
      if (stateful || (this.scheduled(rule, now) && test(facts))) this.step(rule, device, facts, now);
    }
    for (const group of candidates.thresholds) {
      const value = facts.latest[group.metric];
      if (typeof value !== 'number') continue;
      const [from, to] = passing(group, value);
      for (let i = from; i < to; i++) this.step(group.rules[i] as Rule, device, facts, now);
    }
    if (engaged) {
      // Copied: the steps change these sets. An indexed rule whose condition holds was stepped above.
      for (const id of new Set([...pending, ...open])) {
        const rule = candidates.indexed.get(id);
        if (rule && !holds(rule.condition, facts)) this.step(rule, device, facts, now);
      }
    }
    if (evaluated > 0) this.options.counters.add('rules_evaluated', evaluated);
  }

  onEvents(events: DeviceEvent[]): void {
    if (!this.evaluates()) return;
    const now = this.options.now().getTime();
    for (const event of events) {
      const device = this.options.registry.record(event.deviceId);
      const rules = this.index.get(event.kind)?.onEvent(event.type);
      if (device && rules) this.evaluate(device, rules, now, new Set([event.type]));
    }
  }

  private evaluate(
    device: DeviceRecord,
    rules: Iterable<Rule>,
    now: number,
    events?: ReadonlySet<string>,
  ): void {
    const facts = this.facts(device, now, events);
    let evaluated = 0;
    for (const rule of rules) {
      if (!this.targets(rule, device)) continue;
      evaluated++;
      this.step(rule, device, facts, now);
    }
    if (evaluated > 0) this.options.counters.add('rules_evaluated', evaluated);
  }

  /** One evaluation of a device rule: fire after `for`, respect flap protection, clear with hysteresis. */
  private step(rule: Rule, device: DeviceRecord, facts: DeviceFacts, now: number): void {
    const { states, alertStore, alerts } = this.options;
    const before = states.get(rule.id, device.id);
    let { since, clearedAt } = before;
    const open = rule.perOccurrence ? undefined : alertStore.open(rule.id, device.id);
    const active = this.scheduled(rule, now);
    const matches = active && holds(rule.condition, facts);
    if (matches) {
      since ??= now;
      const due = now - since >= (rule.for ? durationMs(rule.for) : 0);
      const calm =
        clearedAt === undefined || now - clearedAt >= (rule.minInterval ? durationMs(rule.minInterval) : 0);
      if (open || (due && calm)) alerts.fire(rule, subjectOf(device), summaryOf(rule, device));
    } else {
      since = undefined;
      // Event-only rules clear by their clear condition or auto-clear, not by the absence of the event.
      const eventOnly = this.eventOnly.has(rule);
      const cleared = !active || (rule.clear ? holds(rule.clear, facts) : !eventOnly);
      if (open && cleared) {
        alerts.clear(open, active ? 'clear condition met' : 'outside the rule schedule');
        clearedAt = now;
      }
    }
    // Stryker disable next-line ConditionalExpression: writing an unchanged state stores the same state, only slower
    if (since !== before.since || clearedAt !== before.clearedAt)
      this.writeBehind(states.set(rule.id, device.id, { since, clearedAt }), rule.id);
  }

  /** Rule state is written behind (the store answers from memory at once); a failed write is logged. */
  private writeBehind(write: Promise<void>, ruleId: string): void {
    write.catch((error: Error) => {
      this.options.counters.add('rules_errors');
      this.options.log.error({ err: error, ruleId }, 'rule state not stored');
    });
  }

  /** Timer-driven evaluation (absence, pending `for`, schedules, auto-clear, group rules), at once. */
  tick(): void {
    for (const _pause of this.timed(() => false)) {
      // Never due: no pause.
    }
  }

  /**
   * The same, pausing for the event loop once a slice has run `sliceMs` (by `clock`, ms): in a region
   * of a million devices a tick is seconds of CPU, which must not hold up ingest and the API
   * meanwhile; a fixed count of devices per slice took as long as the rules and the machine's load
   * made it. Ends early when `signal` is aborted (the cloud stops); asked while one runs, it does
   * nothing.
   */
  async tickInSlices(
    signal: AbortSignal,
    sliceMs = defaultBudgetMs,
    clock = () => performance.now(),
  ): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      let started = clock();
      for (const _pause of this.timed(() => clock() - started >= sliceMs)) {
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.aborted) return;
        started = clock();
      }
    } finally {
      this.ticking = false;
    }
  }

  /** The timed evaluation, pausing (yielding) when `pauseDue` says so, asked after each device visited. */
  private *timed(pauseDue: () => boolean): Generator<void, void, void> {
    if (!this.evaluates()) return;
    const rules = this.rules;
    let now = this.options.now().getTime();
    // Absence, age and group conditions change with time alone: every target device. Each device is
    // visited once for all such rules of its kind, in the registry's order: a walk per rule read a
    // region's million records once per rule (~450 ms a tick with the kinds' rules).
    const byKind = new Map<DeviceKind, Rule[]>();
    const groups = new Map<Rule, GroupTally>();
    for (const rule of rules) {
      if (!rule.group && !isTimed(rule.condition)) continue;
      const ofKind = byKind.get(rule.target.kind);
      if (ofKind) ofKind.push(rule);
      else byKind.set(rule.target.kind, [rule]);
      if (rule.group) groups.set(rule, new GroupTally(rule, this.scheduled(rule, now)));
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut; the walk finds no rule for any device either
    if (byKind.size > 0)
      for (const device of this.options.registry.records()) {
        const timed = byKind.get(device.kind);
        if (timed === undefined) continue;
        for (const rule of timed) {
          if (!this.targets(rule, device)) continue;
          const group = groups.get(rule);
          if (group) group.count(device, group.active && holds(rule.condition, this.facts(device, now)));
          else this.stepTimed(rule, device, now);
        }
        if (!pauseDue()) continue;
        yield;
        // After the pause: nothing more if the rules changed or the lease went; else the time again.
        if (this.rules !== rules || !this.evaluates()) return;
        now = this.options.now().getTime();
      }
    for (const [rule, group] of groups) this.stepGroup(rule, group);
    for (const rule of rules) {
      const waits = Boolean(rule.for || rule.schedule);
      // Stryker disable next-line ConditionalExpression,LogicalOperator: a walked rule's waiting devices were stepped at this time already; again is the same step
      if (waits && !rule.group && !isTimed(rule.condition)) {
        // Otherwise only the devices waiting out `for`, and those whose alert a closing schedule clears.
        const subjects = new Set(this.options.states.pending(rule.id));
        for (const alert of this.options.alertStore.allOpen())
          if (alert.ruleId === rule.id) subjects.add(alert.subject.id);
        for (const id of subjects) {
          const device = this.options.registry.record(id);
          if (device && this.targets(rule, device)) this.step(rule, device, this.facts(device, now), now);
        }
      }
      // Stryker disable next-line ConditionalExpression: a shortcut; without autoClearAfter autoClear waits forever
      if (rule.autoClearAfter) this.autoClear(rule, now);
      if (rule.escalateAfter && rule.escalateTo) this.escalate(rule, now);
    }
  }

  /** A timed rule on one device: stepped where its condition holds or the device has state for it. */
  private stepTimed(rule: Rule, device: DeviceRecord, now: number): void {
    const facts = this.facts(device, now);
    const engaged =
      this.options.states.pendingRules(device.id).has(rule.id) ||
      this.options.alertStore.openRules(device.id).has(rule.id);
    if (engaged || (this.scheduled(rule, now) && holds(rule.condition, facts)))
      this.step(rule, device, facts, now);
  }

  /** Fires or clears each group's alert by its share counted this tick. */
  private stepGroup(rule: Rule, tally: GroupTally): void {
    for (const { subject, over, text } of tally.verdicts()) {
      const open = this.options.alertStore.open(rule.id, subject.id);
      this.options.counters.add('rules_evaluated');
      if (over) this.options.alerts.fire(rule, subject, text);
      else if (open) this.options.alerts.clear(open, text);
    }
  }

  private autoClear(rule: Rule, now: number): void {
    const after = rule.autoClearAfter ? durationMs(rule.autoClearAfter) : Number.POSITIVE_INFINITY;
    for (const alert of this.options.alertStore.allOpen().filter((a: Alert) => a.ruleId === rule.id)) {
      if (now - Date.parse(alert.lastMatchAt) >= after) {
        this.options.alerts.clear(alert, `no repeat for ${after / 60_000} min (auto-clear)`);
      }
    }
  }

  private escalate(rule: Rule, now: number): void {
    // The alert service escalates only alerts still firing (nobody acknowledged them).
    const after = rule.escalateAfter ? durationMs(rule.escalateAfter) : Number.POSITIVE_INFINITY;
    for (const alert of this.options.alertStore.allOpen().filter((a) => a.ruleId === rule.id)) {
      if (now - Date.parse(alert.firedAt) >= after) {
        this.options.alerts.escalate(alert, rule.escalateTo as AlertSeverity);
      }
    }
  }

  /** A deleted or disabled rule leaves no alert open. */
  clearAll(ruleId: string, reason: string): void {
    if (!this.evaluates()) return;
    for (const alert of this.options.alertStore.allOpen().filter((a) => a.ruleId === ruleId))
      this.options.alerts.clear(alert, reason);
    this.writeBehind(this.options.states.forgetRule(ruleId), ruleId);
  }
}

const noEvents: ReadonlySet<string> = new Set();

function subjectOf(device: DeviceRecord) {
  return { kind: 'device' as const, id: device.id, district: device.district, deviceKind: device.kind };
}

function summaryOf(rule: Rule, device: DeviceRecord): string {
  return `${rule.name}: ${device.id} in ${device.district}`;
}
