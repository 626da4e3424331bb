import type { Logger } from 'pino';
import type { City } from '../../shared/fleet.ts';
import {
  type DeviceEvent,
  type DeviceKind,
  kinds,
  type MetricValue,
  type Reading,
} from '../../shared/kinds/index.ts';
import { durationMs } from '../../shared/rules/schema.ts';
import type { AlertSeverity } from '../../shared/severity.ts';
import type { AlertService } from '../alerts/service.ts';
import type { Alert, AlertStore } from '../alerts/store.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { DeviceRecord } from '../registry/store.ts';
import { type DeviceFacts, eventsOf, holds, isTimed, metricsOf } from './conditions.ts';
import type { Rule } from './schema.ts';
import type { RuleStateStore } from './state.ts';
import { isIndexable, passing, type ThresholdGroup, thresholdGroups } from './threshold-index.ts';

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

interface Indexed {
  byMetric: Map<string, Rule[]>;
  byEvent: Map<string, Rule[]>;
  /** Metrics of the kind some rule looks back over, with the longest window. */
  windows: Map<string, number>;
  /** Each metric of the kind as one bit, to name a reading's set of metrics by a number. */
  metricBits: Map<string, number>;
  /** The rules a reading meets, by district, then by the bits of the metrics it carries. */
  candidates: Map<string, Map<number, Candidates>>;
}

/** The rules concerning readings of one metric set in one district. */
interface Candidates {
  /** Evaluated one by one (every rule but the indexable thresholds). */
  general: readonly Rule[];
  /** Plain numeric thresholds (threshold-index.ts): evaluated where the value passes them. */
  thresholds: readonly ThresholdGroup[];
  /** The rules of `thresholds` by id, for those a device has state or an open alert for. */
  indexed: ReadonlyMap<string, Rule>;
}

/** Bounds the candidate cache per district; a device's metric set varies little, so it is rarely reached. */
const maxCandidateSets = 1_000;

/**
 * Evaluates rules. Per-reading conditions run on ingest, looked up by kind and metric (or event), so
 * a reading costs as many evaluations as there are rules on what it carries. Timers (`tick`) cover
 * what needs no new data: absence, pending `for` durations, auto-clear, schedules and group rules.
 */
export class RuleEngine {
  private readonly options: EngineOptions;
  private rules: Rule[] = [];
  private index = new Map<DeviceKind, Indexed>();
  /** Windowed metric samples per device (only for metrics some rule looks back over). */
  private readonly history = new Map<string, Record<string, { t: number; v: number }[]>>();
  /** Schedule state per rule, computed at most once per minute (sun windows are costly to compute). */
  private readonly activeCache = new Map<Rule, { minute: number; active: boolean }>();
  /** Rules whose condition is only about events (they do not clear when the event is absent). */
  private eventOnly = new Set<Rule>();
  /** Devices recorded together share their last-seen time: parsed once for all of them. */
  private readonly lastSeen = new LastParsed();
  /** A device never heard from counts as silent since the engine started, not since forever. */
  private readonly startedAt: number;

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
    const push = (map: Map<string, Rule[]>, key: string, rule: Rule) =>
      map.set(key, [...(map.get(key) ?? []), rule]);
    for (const rule of this.rules) {
      const entry = this.index.get(rule.target.kind) ?? {
        byMetric: new Map(),
        byEvent: new Map(),
        windows: new Map(),
        metricBits: new Map(Object.keys(kinds[rule.target.kind].metrics.shape).map((m, i) => [m, 2 ** i])),
        candidates: new Map(),
      };
      this.index.set(rule.target.kind, entry);
      if (rule.group) continue; // group rules are evaluated on the timer
      const conditions = [rule.condition, ...(rule.clear ? [rule.clear] : [])];
      for (const c of conditions) {
        for (const [metric, window] of metricsOf(c)) {
          // Rules narrowed to districts are filed under each district, so a reading only meets the
          // rules that can concern its device.
          for (const district of rule.target.districts ?? [undefined])
            push(entry.byMetric, metricKey(metric, district), rule);
          // Stryker disable next-line all: history trimming only bounds memory: conditions read only the samples inside the window ending now
          if (window > 0) entry.windows.set(metric, Math.max(entry.windows.get(metric) ?? 0, window));
        }
        for (const event of eventsOf(c)) push(entry.byEvent, event, rule);
      }
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
      history: this.history.get(device.id) ?? noHistory,
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
      this.remember(reading, entry.windows);
      // A reading claiming another kind than the device's concerns none of the device's rules.
      if (device.kind !== reading.kind) continue;
      this.evaluateReading(device, this.candidates(entry, reading, device.district), now);
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
    for (const rule of candidates.general) {
      if (!this.targets(rule, device)) continue;
      evaluated++;
      const stateful = engaged && (pending.has(rule.id) || open.has(rule.id));
      if (stateful || (this.scheduled(rule, now) && holds(rule.condition, facts)))
        this.step(rule, device, facts, now);
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
      const rules = this.index.get(event.kind)?.byEvent.get(event.type);
      if (device && rules) this.evaluate(device, rules, now, new Set([event.type]));
    }
  }

  /** The rules concerning a reading: those on any metric it carries, everywhere or in its district. */
  private candidates(entry: Indexed, reading: Reading, district: string): Candidates {
    let bits = 0;
    // Stryker disable next-line AssignmentOperator: the negated sum of distinct powers of two names a metric set as well
    for (const metric in reading.metrics) bits += entry.metricBits.get(metric) ?? 0;
    let byBits = entry.candidates.get(district);
    // Stryker disable next-line ConditionalExpression: a cache of candidate lists; a new one only costs time
    if (!byBits) {
      byBits = new Map();
      // Stryker disable next-line all: a cache of candidate lists; not keeping it only costs time
      entry.candidates.set(district, byBits);
    }
    const cached = byBits.get(bits);
    // Stryker disable next-line ConditionalExpression: a cache of candidate lists; a miss only costs time
    if (cached) return cached;
    const rules = new Set<Rule>();
    for (const metric of Object.keys(reading.metrics)) {
      for (const r of entry.byMetric.get(metricKey(metric, undefined)) ?? []) rules.add(r);
      for (const r of entry.byMetric.get(metricKey(metric, district)) ?? []) rules.add(r);
    }
    // Stryker disable next-line all: the cache's bound; clearing it sooner, later or never only costs time or memory
    if (byBits.size >= maxCandidateSets) byBits.clear();
    const indexable = [...rules].filter(isIndexable);
    const candidates: Candidates = {
      general: [...rules].filter((r) => !isIndexable(r)),
      thresholds: thresholdGroups(indexable),
      indexed: new Map(indexable.map((r) => [r.id, r])),
    };
    // Stryker disable next-line all: a cache of candidate lists; not filling it only costs time
    byBits.set(bits, candidates);
    return candidates;
  }

  private remember(reading: Reading, windows: Map<string, number>): void {
    // Stryker disable next-line ConditionalExpression: a shortcut; the loop below does nothing either
    if (windows.size === 0) return;
    const t = Date.parse(reading.ts);
    const metrics = reading.metrics as Record<string, MetricValue | undefined>;
    for (const [metric, window] of windows) {
      const value = metrics[metric];
      if (typeof value !== 'number') continue;
      let perDevice = this.history.get(reading.deviceId);
      if (!perDevice) {
        perDevice = {};
        this.history.set(reading.deviceId, perDevice);
      }
      // Samples are kept in time order: a reading is usually the newest, so it is inserted at or near
      // the end, and those that fell out of the window are a prefix.
      const samples = perDevice[metric] ?? [];
      let at = samples.length;
      while (at > 0 && (samples[at - 1] as { t: number }).t > t) at--;
      // Stryker disable next-line ConditionalExpression: splicing at the end is pushing, only slower
      if (at === samples.length) samples.push({ t, v: value });
      else samples.splice(at, 0, { t, v: value });
      let expired = 0;
      // Stryker disable next-line all: history trimming only bounds memory: conditions read only the samples inside the window ending now
      while (expired < samples.length && (samples[expired] as { t: number }).t <= t - window) expired++;
      // Stryker disable next-line all: history trimming only bounds memory: conditions read only the samples inside the window ending now
      if (expired > 0) samples.splice(0, expired);
      perDevice[metric] = samples;
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

  /** Timer-driven evaluation: absence, pending `for`, schedules, auto-clear and group rules. */
  tick(): void {
    if (!this.evaluates()) return;
    const now = this.options.now().getTime();
    for (const rule of this.rules) {
      if (rule.group || isTimed(rule.condition)) {
        // Absence, age and group conditions change with time alone: every target device.
        const devices = this.options.registry
          .records(rule.target.kind)
          .filter((d) => this.targets(rule, d))
          .toArray();
        if (rule.group) this.stepGroup(rule, devices, now);
        else for (const device of devices) this.step(rule, device, this.facts(device, now), now);
      } else if (rule.for || rule.schedule) {
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

  private stepGroup(rule: Rule, devices: DeviceRecord[], now: number): void {
    const group = rule.group as NonNullable<Rule['group']>;
    const members = Map.groupBy(devices, (d) => (group.by === 'district' ? d.district : d.gatewayId));
    const active = this.scheduled(rule, now);
    for (const [key, groupDevices] of members) {
      const subjectId = `${group.by}:${key}`;
      const matching = active
        ? groupDevices.filter((d) => holds(rule.condition, this.facts(d, now))).length
        : 0;
      const percent = (matching / groupDevices.length) * 100;
      const subject = {
        kind: 'group' as const,
        id: subjectId,
        district: group.by === 'district' ? key : undefined,
        deviceKind: rule.target.kind,
      };
      const open = this.options.alertStore.open(rule.id, subjectId);
      this.options.counters.add('rules_evaluated');
      if (percent > group.thresholdPercent) {
        this.options.alerts.fire(
          rule,
          subject,
          `${rule.name}: ${matching} of ${groupDevices.length} devices (${percent.toFixed(0)} %) in ${subjectId}`,
        );
      } else if (open) {
        this.options.alerts.clear(open, `${percent.toFixed(0)} % at or below ${group.thresholdPercent} %`);
      }
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
const noHistory: DeviceFacts['history'] = Object.freeze({});

/** Date.parse that remembers its last answer. */
class LastParsed {
  // Stryker disable next-line StringLiteral: no device was last seen at an instant written as any such text
  private text = '';
  private ms = 0;

  parse(text: string): number {
    // Stryker disable next-line ConditionalExpression: a cache of one parse; parsing again only costs time
    if (text !== this.text) {
      this.text = text;
      this.ms = Date.parse(text);
    }
    return this.ms;
  }
}

function metricKey(metric: string, district: string | undefined): string {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: any rule to tell district keys apart files and finds alike; targets() narrows to districts
  return district === undefined ? metric : `${metric}\u0000${district}`;
}

function subjectOf(device: DeviceRecord) {
  return { kind: 'device' as const, id: device.id, district: device.district, deviceKind: device.kind };
}

function summaryOf(rule: Rule, device: DeviceRecord): string {
  return `${rule.name}: ${device.id} in ${device.district}`;
}
