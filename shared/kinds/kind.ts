import { z } from 'zod';
import { deviceId, singleLineText, timestamp } from '../ids.ts';

/**
 * The one shape every device kind has. A kind is declared, not coded: its metrics, the events
 * its devices raise and the commands they accept are zod schemas; everything else (validation,
 * storage mapping, JSON Schema in the docs) is derived from them.
 */
export interface KindSpec<
  K extends string,
  M extends z.ZodObject,
  E extends z.ZodEnum,
  C extends z.ZodDiscriminatedUnion,
> {
  kind: K;
  /** The FIWARE Smart Data Model this kind aligns with. */
  fiwareType: string;
  description: string;
  metrics: M;
  events: E;
  commands: C;
  /** Whether the latest values say the device works (for maps and KPIs); unknown values count as healthy. */
  healthy(latest: Partial<z.infer<M>>): boolean;
}

export function defineKind<
  K extends string,
  M extends z.ZodObject,
  E extends z.ZodEnum,
  C extends z.ZodDiscriminatedUnion,
>(spec: KindSpec<K, M, E, C>) {
  const kind = z.literal(spec.kind);
  const metrics = spec.metrics
    .partial()
    .strict()
    .refine((m) => Object.keys(m).length > 0, 'a reading carries at least one metric');
  return {
    ...spec,
    reading: z
      .object({ deviceId, kind, ts: timestamp, metrics })
      .strict()
      .meta({ id: `${spec.kind}Reading`, description: `One ${spec.description} reading` }),
    event: z
      .object({
        deviceId,
        kind,
        ts: timestamp,
        type: spec.events,
        detail: singleLineText(500).optional(),
      })
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
