import type { Rule } from './schema.ts';

type Ordered = '>' | '>=' | '<' | '<=';

/**
 * Rules comparing one metric with one operator to a number, sorted by that number: the rules a value
 * passes are a run at one end of the list, found by binary search instead of one comparison per rule.
 */
export interface ThresholdGroup {
  metric: string;
  op: Ordered;
  /** By `values`, ascending. */
  rules: readonly Rule[];
  values: readonly number[];
}

const ordered: ReadonlySet<string> = new Set<Ordered>(['>', '>=', '<', '<=']);

/**
 * Whether a rule is a plain numeric threshold on every device of its kind and districts: such a rule
 * needs no evaluation on a reading its value does not pass, unless the device has state for it (a
 * pending `for`, an open alert), which the engine looks up by device. Rules narrowed to devices or
 * gateways, group rules and every other condition are evaluated one by one.
 */
export function isIndexable(rule: Rule): boolean {
  const c = rule.condition;
  return (
    c.type === 'threshold' &&
    typeof c.value === 'number' &&
    ordered.has(c.op) &&
    !rule.group &&
    !rule.target.devices &&
    !rule.target.gateways
  );
}

/** Groups indexable rules by metric and operator, each sorted by its threshold. */
export function thresholdGroups(rules: Iterable<Rule>): ThresholdGroup[] {
  const groups = new Map<string, { metric: string; op: Ordered; entries: [number, Rule][] }>();
  for (const rule of rules) {
    const c = rule.condition as Extract<Rule['condition'], { type: 'threshold' }>;
    const key = `${c.op}\u0000${c.metric}`;
    const group = groups.get(key) ?? { metric: c.metric, op: c.op as Ordered, entries: [] };
    group.entries.push([c.value as number, rule]);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ metric, op, entries }) => {
    entries.sort((a, b) => a[0] - b[0]);
    return { metric, op, rules: entries.map(([, r]) => r), values: entries.map(([v]) => v) };
  });
}

/** The first index whose value is not below `v` (`orEqual`: not at or below `v`). */
function boundary(values: readonly number[], v: number, orEqual: boolean): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const value = values[mid] as number;
    if (value < v || (orEqual && value === v)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The rules of a group whose condition `v` meets, as the index range [from, to): `v > threshold`
 * holds for the thresholds below `v`, `v < threshold` for those above it. NaN meets none.
 */
export function passing(group: ThresholdGroup, v: number): [number, number] {
  const n = group.values.length;
  if (Number.isNaN(v)) return [0, 0];
  switch (group.op) {
    case '>':
      return [0, boundary(group.values, v, false)];
    case '>=':
      return [0, boundary(group.values, v, true)];
    case '<':
      return [boundary(group.values, v, true), n];
    case '<=':
      return [boundary(group.values, v, false), n];
  }
}
