import { z } from 'zod';
import { deviceKind } from '../kinds/index.ts';
import { alertSeverity } from '../severity.ts';

const durationUnits = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration as people write it: `30s`, `10m`, `2h`, `3d`. Rules keep this form everywhere (files,
 * store, API answers), so what `GET` returns `PUT` accepts unchanged; the engine reads it through
 * `durationMs`.
 */
export const ruleDuration = z
  .string()
  .regex(/^[1-9]\d{0,5}[smhd]$/, 'a duration such as 30s, 10m, 2h or 3d')
  .meta({ description: 'A duration: a number and s, m, h or d, e.g. 30s, 10m, 2h, 3d', examples: ['10m'] });
export type RuleDuration = z.infer<typeof ruleDuration>;

/** `30s`, `10m`, `2h`, `3d` → milliseconds (for a duration the schema accepted). */
export function durationMs(duration: RuleDuration): number {
  return Number(duration.slice(0, -1)) * durationUnits[duration.slice(-1) as keyof typeof durationUnits];
}

const metric = z.string().min(1).max(64);
const comparison = z.enum(['>', '>=', '<', '<=', '==', '!=']);

/** Conditions, composable with all / any / not (written out because the schema is recursive). */
export type Condition =
  | { type: 'threshold'; metric: string; op: z.infer<typeof comparison>; value: number | string | boolean }
  | { type: 'between'; metric: string; min: number; max: number }
  | { type: 'in'; metric: string; values: (string | number | boolean)[] }
  | {
      type: 'rateOfChange';
      metric: string;
      window: RuleDuration;
      op: z.infer<typeof comparison>;
      value: number;
    }
  | {
      type: 'aggregate';
      metric: string;
      fn: 'mean' | 'min' | 'max' | 'sum' | 'count';
      window: RuleDuration;
      op: z.infer<typeof comparison>;
      value: number;
    }
  | { type: 'event'; events: string[] }
  | { type: 'absence'; after: RuleDuration }
  | { type: 'age'; metric: string; olderThan: RuleDuration }
  | { type: 'all'; of: Condition[] }
  | { type: 'any'; of: Condition[] }
  | { type: 'not'; of: Condition };

export const condition: z.ZodType<Condition> = z
  .lazy(() =>
    z.discriminatedUnion('type', [
      z
        .object({
          type: z.literal('threshold'),
          metric,
          op: comparison,
          value: z.union([z.number(), z.string(), z.boolean()]),
        })
        .strict(),
      z.object({ type: z.literal('between'), metric, min: z.number(), max: z.number() }).strict(),
      z
        .object({
          type: z.literal('in'),
          metric,
          values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
        })
        .strict(),
      z
        .object({
          type: z.literal('rateOfChange'),
          metric,
          window: ruleDuration,
          op: comparison,
          value: z.number(),
        })
        .strict()
        .meta({ description: 'Change of the metric over the window (last minus first value)' }),
      z
        .object({
          type: z.literal('aggregate'),
          metric,
          fn: z.enum(['mean', 'min', 'max', 'sum', 'count']),
          window: ruleDuration,
          op: comparison,
          value: z.number(),
        })
        .strict(),
      z.object({ type: z.literal('event'), events: z.array(z.string().min(1)).min(1) }).strict(),
      z.object({ type: z.literal('absence'), after: ruleDuration }).strict(),
      z
        .object({ type: z.literal('age'), metric, olderThan: ruleDuration })
        .strict()
        .meta({ description: 'A timestamp metric (e.g. dateLastEmptying) older than the duration' }),
      z.object({ type: z.literal('all'), of: z.array(condition).min(1) }).strict(),
      z.object({ type: z.literal('any'), of: z.array(condition).min(1) }).strict(),
      z.object({ type: z.literal('not'), of: condition }).strict(),
    ]),
  )
  .meta({ id: 'RuleCondition' });

/** When a rule is active: cron windows in the city's time zone, or sun-relative windows. */
/** The sun's events a schedule window runs between. */
const sunEvent = z.enum(['sunset', 'sunrise', 'dusk', 'dawn', 'solarNoon']);

export const schedule = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('cron'),
      /** node-cron expressions: the window opens at `start` and closes at `end`. */
      start: z.string().min(1),
      end: z.string().min(1),
    })
    .strict(),
  z
    .object({
      type: z.literal('sun'),
      /** From an event to an event, e.g. sunset to sunrise: "dark". */
      from: sunEvent,
      to: sunEvent,
      fromOffsetMinutes: z.int().min(-720).max(720).default(0),
      toOffsetMinutes: z.int().min(-720).max(720).default(0),
    })
    .strict(),
]);
export type Schedule = z.infer<typeof schedule>;

/**
 * A rule as the API, the rule files and the console's form read it. The cloud's `rule`
 * (cloud/rules/schema.ts) adds what only the server can check: that a cron schedule's expressions
 * are ones node-cron (a Node-only scheduler) runs. The console validates its form with this one and
 * shows the server's cron errors at the schedule's fields.
 */
export const ruleFields = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and "-"'),
    name: z.string().min(1).max(200),
    description: z.string().max(2_000).default(''),
    severity: alertSeverity,
    target: z
      .object({
        kind: deviceKind,
        devices: z.array(z.string()).optional(),
        districts: z.array(z.string()).optional(),
        gateways: z.array(z.string()).optional(),
      })
      .strict(),
    condition,
    /** Hysteresis: once firing, the alert clears only when this holds (default: the condition no longer holds). */
    clear: condition.optional(),
    /** The condition must hold this long before the alert fires. */
    for: ruleDuration.optional(),
    /** An alert with no repeat of its condition for this long clears itself. */
    autoClearAfter: ruleDuration.optional(),
    /** An alert still firing (not acknowledged) this long after it fired is escalated to `escalateTo`. */
    escalateAfter: ruleDuration.optional(),
    escalateTo: alertSeverity.optional(),
    /** Flap protection: after clearing, the same alert does not fire again within this time. */
    minInterval: ruleDuration.optional(),
    /** One alert for the group (e.g. a district) when more than `threshold` % of its devices meet the condition. */
    group: z
      .object({ by: z.enum(['district', 'gateway']), thresholdPercent: z.number().min(0).max(100) })
      .strict()
      .optional(),
    schedule: schedule.optional(),
    /** One alert per occurrence instead of at most one open alert per device or group. */
    perOccurrence: z.boolean().default(false),
    channels: z.array(z.string().min(1)).default(['log']),
    enabled: z.boolean().default(true),
    owner: z.string().max(200).optional(),
  })
  .strict();
