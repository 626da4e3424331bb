import { type DeviceKind, kinds, type Reading } from '../../shared/kinds/index.ts';
import { eventsOf, metricsOf, type Test, testOf } from './conditions.ts';
import type { Rule } from './schema.ts';
import { isIndexable, type ThresholdGroup, thresholdGroups } from './threshold-index.ts';

/** The rules concerning readings of one metric set in one district. */
export interface Candidates {
  /** Evaluated one by one (every rule but the indexable thresholds), each with its condition's test. */
  general: readonly { rule: Rule; holds: Test }[];
  /** Plain numeric thresholds (threshold-index.ts): evaluated where the value passes them. */
  thresholds: readonly ThresholdGroup[];
  /** The rules of `thresholds` by id, for those a device has state or an open alert for. */
  indexed: ReadonlyMap<string, Rule>;
}

/** Bounds the candidate cache per district; a device's metric set varies little, so it is rarely reached. */
const maxCandidateSets = 1_000;

/**
 * Which rules of one device kind a reading or an event concerns: rules are filed by the metrics and
 * events their conditions read (and by district when narrowed to some), so that a reading meets only
 * the rules on what it carries. Group rules are not filed: the timer evaluates them.
 */
export class CandidateIndex {
  private readonly byMetric = new Map<string, Rule[]>();
  private readonly byEvent = new Map<string, Rule[]>();
  /** Metrics of the kind some rule looks back over, with the longest window. */
  readonly windows = new Map<string, number>();
  /** Each metric of the kind as one bit, to name a reading's set of metrics by a number. */
  private readonly metricBits: Map<string, number>;
  /** The rules a reading meets, by district, then by the bits of the metrics it carries. */
  private readonly cache = new Map<string, Map<number, Candidates>>();

  constructor(kind: DeviceKind) {
    this.metricBits = new Map(Object.keys(kinds[kind].metrics.shape).map((m, i) => [m, 2 ** i]));
  }

  /** Files a rule of this kind. */
  add(rule: Rule): void {
    if (rule.group) return;
    const push = (map: Map<string, Rule[]>, key: string) => map.set(key, [...(map.get(key) ?? []), rule]);
    for (const c of [rule.condition, ...(rule.clear ? [rule.clear] : [])]) {
      for (const [metric, window] of metricsOf(c)) {
        // Rules narrowed to districts are filed under each district, so a reading only meets the
        // rules that can concern its device.
        for (const district of rule.target.districts ?? [undefined])
          push(this.byMetric, metricKey(metric, district));
        // Stryker disable next-line all: history trimming only bounds memory: conditions read only the samples inside the window ending now
        if (window > 0) this.windows.set(metric, Math.max(this.windows.get(metric) ?? 0, window));
      }
      for (const event of eventsOf(c)) push(this.byEvent, event);
    }
  }

  /** The rules on an event type. */
  onEvent(type: string): readonly Rule[] | undefined {
    return this.byEvent.get(type);
  }

  /** The rules concerning a reading: those on any metric it carries, everywhere or in its district. */
  forReading(reading: Reading, district: string): Candidates {
    let bits = 0;
    // Stryker disable next-line AssignmentOperator: the negated sum of distinct powers of two names a metric set as well
    for (const metric in reading.metrics) bits += this.metricBits.get(metric) ?? 0;
    let byBits = this.cache.get(district);
    // Stryker disable next-line ConditionalExpression: a cache of candidate lists; a new one only costs time
    if (!byBits) {
      byBits = new Map();
      // Stryker disable next-line all: a cache of candidate lists; not keeping it only costs time
      this.cache.set(district, byBits);
    }
    const cached = byBits.get(bits);
    // Stryker disable next-line ConditionalExpression: a cache of candidate lists; a miss only costs time
    if (cached) return cached;
    const rules = new Set<Rule>();
    for (const metric of Object.keys(reading.metrics)) {
      for (const r of this.byMetric.get(metricKey(metric, undefined)) ?? []) rules.add(r);
      for (const r of this.byMetric.get(metricKey(metric, district)) ?? []) rules.add(r);
    }
    // Stryker disable next-line all: the cache's bound; clearing it sooner, later or never only costs time or memory
    if (byBits.size >= maxCandidateSets) byBits.clear();
    const indexable = [...rules].filter(isIndexable);
    const candidates: Candidates = {
      general: [...rules]
        .filter((r) => !isIndexable(r))
        .map((rule) => ({ rule, holds: testOf(rule.condition) })),
      thresholds: thresholdGroups(indexable),
      indexed: new Map(indexable.map((r) => [r.id, r])),
    };
    // Stryker disable next-line all: a cache of candidate lists; not filling it only costs time
    byBits.set(bits, candidates);
    return candidates;
  }
}

function metricKey(metric: string, district: string | undefined): string {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: any rule to tell district keys apart files and finds alike; targets() narrows to districts
  return district === undefined ? metric : `${metric}\u0000${district}`;
}
