import type { DeviceRecord } from '../registry/store.ts';
import type { Rule } from './schema.ts';

/** One group's verdict after a tick: over the rule's threshold (fire) or not (clear, if open). */
export interface GroupVerdict {
  subject: { kind: 'group'; id: string; district: string | undefined; deviceKind: Rule['target']['kind'] };
  over: boolean;
  /** The alert's summary when over, else why an open one clears. */
  text: string;
}

/**
 * A group rule's devices counted during one tick, per district or gateway (`rule.group.by`): how
 * many there are and how many match the condition; then each group's share against the rule's
 * threshold.
 */
export class GroupTally {
  private readonly rule: Rule;
  private readonly group: NonNullable<Rule['group']>;
  /** Whether the rule's schedule is active this tick: while not, nothing counts as matching. */
  readonly active: boolean;
  private readonly counts = new Map<string, { matching: number; total: number }>();

  constructor(rule: Rule, active: boolean) {
    this.rule = rule;
    this.group = rule.group as NonNullable<Rule['group']>;
    this.active = active;
  }

  /** One more member of the device's group, and one more matching if `matching`. */
  count(device: DeviceRecord, matching: boolean): void {
    const key = this.group.by === 'district' ? device.district : device.gatewayId;
    let counted = this.counts.get(key);
    if (counted === undefined) {
      counted = { matching: 0, total: 0 };
      this.counts.set(key, counted);
    }
    counted.total++;
    if (matching) counted.matching++;
  }

  /** Each group counted, with its verdict. */
  *verdicts(): Generator<GroupVerdict> {
    const { group, rule } = this;
    for (const [key, { matching, total }] of this.counts) {
      const id = `${group.by}:${key}`;
      const percent = (matching / total) * 100;
      const over = percent > group.thresholdPercent;
      yield {
        subject: {
          kind: 'group',
          id,
          district: group.by === 'district' ? key : undefined,
          deviceKind: rule.target.kind,
        },
        over,
        text: over
          ? `${rule.name}: ${matching} of ${total} devices (${percent.toFixed(0)} %) in ${id}`
          : `${percent.toFixed(0)} % at or below ${group.thresholdPercent} %`,
      };
    }
  }
}
