import type { MetricValue } from '../../shared/kinds/index.ts';
import { type Condition, durationMs } from '../../shared/rules/schema.ts';

/** What a condition is evaluated against for one device. */
export interface DeviceFacts {
  now: number;
  latest: Record<string, MetricValue>;
  /** Recent samples per metric, oldest first, for windowed conditions. */
  history: Record<string, { t: number; v: number }[]>;
  /** Event types the device raised in the message being evaluated. */
  events: ReadonlySet<string>;
  /** When the device was last heard from (ms), or undefined if never. */
  lastSeen?: number;
}

function compare(left: MetricValue, op: string, right: MetricValue): boolean {
  switch (op) {
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '==':
      return left === right;
    default:
      return left !== right;
  }
}

type Sample = { t: number; v: number };

/** The samples of a metric inside the window ending now: a view, no copy (samples are in time order). */
function windowSamples(
  facts: DeviceFacts,
  metric: string,
  window: number,
): { samples: Sample[]; from: number } {
  const samples = facts.history[metric] ?? [];
  // The first sample newer than now - window, by binary search.
  let low = 0;
  let high = samples.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((samples[mid] as Sample).t > facts.now - window) high = mid;
    else low = mid + 1;
  }
  return { samples, from: low };
}

/** An aggregate over samples[from…]; each loops without copying the window (it may be long). */
const aggregates: Record<'mean' | 'min' | 'max' | 'sum' | 'count', (s: Sample[], from: number) => number> = {
  mean: (s, from) => aggregates.sum(s, from) / (s.length - from),
  min: (s, from) => {
    let min = Number.POSITIVE_INFINITY;
    for (let i = from; i < s.length; i++) min = Math.min(min, (s[i] as Sample).v);
    return min;
  },
  max: (s, from) => {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = from; i < s.length; i++) max = Math.max(max, (s[i] as Sample).v);
    return max;
  },
  sum: (s, from) => {
    let sum = 0;
    for (let i = from; i < s.length; i++) sum += (s[i] as Sample).v;
    return sum;
  },
  count: (s, from) => s.length - from,
};

/** Whether `condition` holds for a device. Pure: a missing value never satisfies a comparison. */
export function holds(condition: Condition, facts: DeviceFacts): boolean {
  switch (condition.type) {
    case 'threshold': {
      const value = facts.latest[condition.metric];
      return (
        value !== undefined &&
        typeof value === typeof condition.value &&
        compare(value, condition.op, condition.value)
      );
    }
    case 'between': {
      const value = facts.latest[condition.metric];
      return typeof value === 'number' && value >= condition.min && value <= condition.max;
    }
    case 'in': {
      const value = facts.latest[condition.metric];
      return value !== undefined && condition.values.includes(value);
    }
    case 'rateOfChange': {
      const { samples, from } = windowSamples(facts, condition.metric, durationMs(condition.window));
      if (samples.length - from < 2) return false;
      const change = (samples[samples.length - 1] as Sample).v - (samples[from] as Sample).v;
      return compare(change, condition.op, condition.value);
    }
    case 'aggregate': {
      const { samples, from } = windowSamples(facts, condition.metric, durationMs(condition.window));
      if (from === samples.length) return false;
      return compare(aggregates[condition.fn](samples, from), condition.op, condition.value);
    }
    case 'event':
      return condition.events.some((e) => facts.events.has(e));
    case 'absence':
      return facts.lastSeen === undefined || facts.now - facts.lastSeen >= durationMs(condition.after);
    case 'age': {
      const value = facts.latest[condition.metric];
      return typeof value === 'string' && facts.now - Date.parse(value) > durationMs(condition.olderThan);
    }
    case 'all':
      return condition.of.every((c) => holds(c, facts));
    case 'any':
      return condition.of.some((c) => holds(c, facts));
    case 'not':
      return !holds(condition.of, facts);
  }
}

/** Metrics a condition reads, and the longest window it looks back over (for history buffers). */
export function metricsOf(condition: Condition, into = new Map<string, number>()): Map<string, number> {
  switch (condition.type) {
    case 'threshold':
    case 'between':
    case 'in':
    case 'age':
      into.set(condition.metric, Math.max(into.get(condition.metric) ?? 0, 0));
      break;
    case 'rateOfChange':
    case 'aggregate':
      into.set(condition.metric, Math.max(into.get(condition.metric) ?? 0, durationMs(condition.window)));
      break;
    case 'all':
    case 'any':
      for (const c of condition.of) metricsOf(c, into);
      break;
    case 'not':
      metricsOf(condition.of, into);
      break;
    default:
      break;
  }
  return into;
}

/** Whether a condition depends on time passing (absence) rather than only on incoming data. */
export function isTimed(condition: Condition): boolean {
  if (condition.type === 'absence' || condition.type === 'age') return true;
  if (condition.type === 'all' || condition.type === 'any') return condition.of.some(isTimed);
  if (condition.type === 'not') return isTimed(condition.of);
  return false;
}

export function eventsOf(condition: Condition, into = new Set<string>()): Set<string> {
  if (condition.type === 'event') for (const e of condition.events) into.add(e);
  if (condition.type === 'all' || condition.type === 'any') for (const c of condition.of) eventsOf(c, into);
  if (condition.type === 'not') eventsOf(condition.of, into);
  return into;
}
