import { z } from 'zod';
import { deviceId, timestamp } from '../ids.ts';

/** What the fleet summary knows of a device: its registry status and its latest values. */
export interface SummaryDevice<M = Record<string, unknown>> {
  status: string;
  latest: Partial<M>;
}

/** The figures the fleet summary is asked for: the API's `binThreshold` and the clock. */
export interface SummaryOptions {
  /** Filling level (%) at which a container must be emptied. */
  binThreshold: number;
  /** A container not emptied for this long is due even if not full. */
  maxDaysWithoutEmptying: number;
  now: Date;
}

/**
 * A total since local midnight, from what the kind's devices sent: `sum` adds a metric's values
 * (counts per reporting interval), `increase` adds up each device's increase of a cumulative
 * counter (a meter), `count` counts the events of one type.
 */
export type DailyTotal<Metric extends string = string, Event extends string = string> =
  | { of: 'sum' | 'increase'; metric: Metric }
  | { of: 'count'; event: Event };

/** An EU data theme (http://publications.europa.eu/resource/authority/data-theme/), for open-data catalogues. */
export type EuDataTheme = 'ENER' | 'ENVI' | 'TRAN' | 'TECH' | 'HEAL' | 'REGI' | 'GOVE' | 'SOCI';

/**
 * One metric's attribute in a FIWARE Smart Data Model: the entity type and attribute name, and the
 * factor from our unit to the model's (percent to the model's 0-1 is 0.01). `integer`: the model
 * types the attribute as an integer (a published mean is rounded).
 */
export interface FiwareAttribute {
  type: string;
  attribute: string;
  factor?: number;
  integer?: boolean;
}

/** How a kind's metrics are published as open data (cloud/open-data/). */
export interface OpenDataSpec<Metric extends string> {
  /** The EU data theme of its datasets. */
  theme: EuDataTheme;
  /**
   * Metrics that count people: published only as sums or maxima, per spatial unit, with the counts
   * below a dataset's minimum cell size suppressed (docs/open-data.md).
   */
  peopleCounts?: Metric[];
  /** Each metric that has an attribute in a FIWARE Smart Data Model. */
  fiware?: Partial<Record<Metric, FiwareAttribute>>;
  /** The shortest delay its datasets may have, in minutes (docs/privacy.md: a camera's data is never published live). */
  minDelayMinutes?: number;
}

/**
 * The one shape every device kind has. A kind is declared, not coded: its metrics, the events
 * its devices raise and the commands they accept are zod schemas; everything else (validation,
 * JSON Schema in the docs, the fleet summary) is derived from them. Its storage mapping is the
 * same for every kind: readings go to the measurement named after the kind, one field per metric;
 * events go to `device_event` with their `values` as fields.
 */
export interface KindSpec<
  K extends string,
  M extends z.ZodObject,
  E extends z.ZodEnum,
  C extends z.ZodDiscriminatedUnion,
  V extends z.ZodObject,
> {
  kind: K;
  /** The FIWARE Smart Data Model this kind aligns with. */
  fiwareType: string;
  description: string;
  metrics: M;
  events: E;
  /**
   * Values an event may carry (each optional), e.g. the energy of a finished session; `z.object({})`
   * for none. Numbers and enumerations only: an event has no free text (data minimisation).
   */
  eventValues: V;
  commands: C;
  /** Whether the latest values say the device works (for maps and KPIs); unknown values count as healthy. */
  healthy(latest: Partial<z.infer<M>>): boolean;
  /** A reading as a vendor's gateway would send it, for the contract docs (checked against the schema). */
  example: { deviceId: string; metrics: Partial<z.infer<M>> };
  /** The fleet summary: how many devices meet each test (besides `total` and `online`, which every kind has). */
  counts: Record<string, (device: SummaryDevice<z.infer<M>>, options: SummaryOptions) => boolean>;
  /** Totals since local midnight for the fleet summary, by name. */
  today?: Record<string, DailyTotal<Extract<keyof z.infer<M>, string>, Extract<z.infer<E>, string>>>;
  /** Figures computed from the counts, e.g. a share in percent. */
  ratios?: Record<string, (counts: Record<string, number>) => number>;
  /**
   * The metrics in which devices of this kind measure their own mobile link (RSRP in dBm, SINR in
   * dB), read by the coverage layer; absent for kinds without a cellular link.
   */
  link?: { rsrp: Extract<keyof z.infer<M>, string>; sinr: Extract<keyof z.infer<M>, string> };
  /** Devices of this kind are emptied on a collection round when this holds (the round planner's stops). */
  collectionDue?: (latest: Partial<z.infer<M>>, options: SummaryOptions) => boolean;
  /** Its open-data theme, people counts and FIWARE attributes. */
  openData: OpenDataSpec<Extract<keyof z.infer<M>, string>>;
}

/**
 * Data minimisation by schema: a metric or an event value is a number, a boolean, one of a fixed set
 * of words or (metrics only) a timestamp; never free text, which could carry anything about a person.
 * Checked when a kind is defined, so a kind that breaks the rule fails at start-up and in every test.
 */
function refuseFreeText(
  kind: string,
  what: string,
  shape: Record<string, z.ZodType>,
  timestamps: boolean,
): void {
  for (const [name, schema] of Object.entries(shape)) {
    const def = schema.def as { type: string; format?: string };
    const allowed =
      ['number', 'boolean', 'enum'].includes(def.type) ||
      (timestamps && def.type === 'string' && def.format === 'datetime');
    if (!allowed)
      throw new Error(
        `kind ${kind}: ${what} ${name} is a ${def.type}; ${what}s are numbers, booleans or enumerations${timestamps ? ' (or timestamps)' : ''}, never free text`,
      );
  }
}

export function defineKind<
  K extends string,
  M extends z.ZodObject,
  E extends z.ZodEnum,
  C extends z.ZodDiscriminatedUnion,
  V extends z.ZodObject,
>(spec: KindSpec<K, M, E, C, V>) {
  const kind = z.literal(spec.kind);
  refuseFreeText(spec.kind, 'metric', spec.metrics.shape, true);
  refuseFreeText(spec.kind, 'event value', spec.eventValues.shape, false);
  const metrics = spec.metrics
    .partial()
    .strict()
    .refine((m) => Object.keys(m).length > 0, 'a reading carries at least one metric');
  const values = spec.eventValues
    .partial()
    .strict()
    .refine((v) => Object.keys(v).length > 0, 'values, when present, carry at least one value');
  const event = z.object({
    deviceId,
    kind,
    ts: timestamp,
    type: spec.events,
    values: values.optional(),
  });
  return {
    ...spec,
    reading: z
      .object({ deviceId, kind, ts: timestamp, metrics })
      .strict()
      .meta({ id: `${spec.kind}Reading`, description: `One ${spec.description} reading` }),
    // A kind whose events carry no values has no `values` field at all (and none in the docs).
    event: (Object.keys(spec.eventValues.shape).length > 0
      ? event
      : (event.omit({ values: true }) as unknown as typeof event)
    )
      .strict()
      .meta({ id: `${spec.kind}Event` }),
    command: z.object({ deviceId, kind, command: spec.commands }).strict(),
  };
}

/** A metric: a number with its unit and bounds documented in the schema itself. */
export function quantity(unit: string, description: string, min: number, max: number) {
  return z
    .number()
    .min(min)
    .max(max)
    .meta({ unit, description: `${description} [${unit}]` });
}
