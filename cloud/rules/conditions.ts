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

/** A condition made into a function once: the rules engine asks it on every reading concerned. */
export type Test = (facts: DeviceFacts) => boolean;

/** A comparison with its operator and right side fixed (the switch is taken once, not per call). */
function comparator(op: string, right: MetricValue): (left: MetricValue) => boolean {
  switch (op) {
    case '>':
      return (left) => left > right;
    case '>=':
      return (left) => left >= right;
    case '<':
      return (left) => left < right;
    case '<=':
      return (left) => left <= right;
    case '==':
      return (left) => left === right;
    default:
      return (left) => left !== right;
  }
}

function compile(condition: Condition): Test {
  switch (condition.type) {
    case 'threshold': {
      const { metric } = condition;
      const type = typeof condition.value;
      const passes = comparator(condition.op, condition.value);
      return (facts) => {
        const value = facts.latest[metric];
        return value !== undefined && typeof value === type && passes(value);
      };
    }
    case 'between': {
      const { metric, min, max } = condition;
      return (facts) => {
        const value = facts.latest[metric];
        return typeof value === 'number' && value >= min && value <= max;
      };
    }
    case 'in': {
      const { metric, values } = condition;
      return (facts) => {
        const value = facts.latest[metric];
        return value !== undefined && values.includes(value);
      };
    }
    case 'rateOfChange': {
      const { metric } = condition;
      const window = durationMs(condition.window);
      const passes = comparator(condition.op, condition.value);
      return (facts) => {
        const { samples, from } = windowSamples(facts, metric, window);
        if (samples.length - from < 2) return false;
        return passes((samples[samples.length - 1] as Sample).v - (samples[from] as Sample).v);
      };
    }
    case 'aggregate': {
      const { metric } = condition;
      const window = durationMs(condition.window);
      const aggregate = aggregates[condition.fn];
      const passes = comparator(condition.op, condition.value);
      return (facts) => {
        const { samples, from } = windowSamples(facts, metric, window);
        return from < samples.length && passes(aggregate(samples, from));
      };
    }
    case 'event': {
      const { events } = condition;
      return (facts) => events.some((e) => facts.events.has(e));
    }
    case 'absence': {
      const after = durationMs(condition.after);
      return (facts) => facts.lastSeen === undefined || facts.now - facts.lastSeen >= after;
    }
    case 'age': {
      const { metric } = condition;
      const olderThan = durationMs(condition.olderThan);
      return (facts) => {
        const value = facts.latest[metric];
        return typeof value === 'string' && facts.now - Date.parse(value) > olderThan;
      };
    }
    case 'all': {
      const tests = condition.of.map(compile);
      return (facts) => {
        for (const test of tests) if (!test(facts)) return false;
        return true;
      };
    }
    case 'any': {
      const tests = condition.of.map(compile);
      return (facts) => {
        for (const test of tests) if (test(facts)) return true;
        return false;
      };
    }
    case 'not': {
      const test = compile(condition.of);
      return (facts) => !test(facts);
    }
  }
}

/** Each condition object's function, made at its first use (rules are parsed once, then kept). */
const compiled = new WeakMap<Condition, Test>();

/** The function of a condition (made at its first use); a hot loop keeps it rather than ask again. */
export function testOf(condition: Condition): Test {
  let test = compiled.get(condition);
  if (!test) {
    test = compile(condition);
    compiled.set(condition, test);
  }
  return test;
}

/** Whether `condition` holds for a device. Pure: a missing value never satisfies a comparison. */
export function holds(condition: Condition, facts: DeviceFacts): boolean {
  return testOf(condition)(facts);
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
