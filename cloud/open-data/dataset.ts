import { z } from 'zod';
import {
  type AggregateSource,
  aggregateSource,
  metricUnitOf,
  numericMetricsOf,
  sourceSpecs,
} from '../../shared/aggregate-sources.ts';
import type { FiwareAttribute } from '../../shared/kinds/kind.ts';
import { type Granularity, granularity } from '../rollups/aggregates.ts';

/**
 * A dataset a tenant publishes: one metric of one kind (or of the gateways' links), aggregated per hour or day and per district
 * or map cell (zone), described in Czech and English for the catalogue. This schema is the single
 * source of the type, the API's validation and its OpenAPI document.
 */
export const datasetAggregates = ['mean', 'sum', 'min', 'max', 'count'] as const;
export const spatialUnit = z.enum(['district', 'zone']);
export type SpatialUnit = z.infer<typeof spatialUnit>;

/** The licences a dataset may carry; CC BY 4.0 unless chosen otherwise. */
export const licences = {
  'CC-BY-4.0': 'https://creativecommons.org/licenses/by/4.0/',
  'CC0-1.0': 'https://creativecommons.org/publicdomain/zero/1.0/',
} as const;
export const licence = z.enum(Object.keys(licences) as [keyof typeof licences, ...(keyof typeof licences)[]]);

const text = (max: number) => z.string().trim().min(1).max(max);
const inBothLanguages = (max: number, what: string) =>
  z
    .object({ cs: text(max), en: text(max) })
    .strict()
    .meta({ description: `${what}, in Czech and English` });

export const datasetId = z
  .string()
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a slug: lower-case letters, digits and single hyphens')
  .meta({ description: 'The dataset id, a slug (part of its public address)' });

/** The privacy record's floor (docs/privacy.md: fewer than 10 people are never published as a number). */
export const minCellSizeBounds = { min: 10, max: 1_000 } as const;

const definition = z
  .object({
    id: datasetId,
    title: inBothLanguages(200, 'The title'),
    description: inBothLanguages(4_000, 'What it holds and how it is made'),
    kind: aggregateSource,
    metric: z.string().meta({ description: 'A numeric metric of the kind (or of the gateway link)' }),
    aggregate: z
      .enum(datasetAggregates)
      .meta({ description: 'How the readings of a bucket and unit combine' }),
    granularity,
    unit: spatialUnit.meta({
      description: 'The spatial unit: a district, or a map cell (H3, cloud/geo/cells.ts)',
    }),
    delayMinutes: z
      .int()
      .min(0)
      .max(366 * 24 * 60)
      .default(0)
      .meta({ description: 'Only buckets that ended at least this long ago are published' }),
    minCellSize: z.int().min(minCellSizeBounds.min).max(minCellSizeBounds.max).optional().meta({
      description:
        'For metrics that count people (required there, refused elsewhere): counts from 1 to this minus one are suppressed',
    }),
    licence: licence.default('CC-BY-4.0'),
    keywords: z
      .object({ cs: z.array(text(60)).min(1).max(20), en: z.array(text(60)).max(20).default([]) })
      .strict()
      .meta({ description: 'Keywords, in Czech (at least one) and English' }),
    published: z
      .boolean()
      .default(false)
      .meta({ description: 'Served on the public API and listed in the catalogue' }),
  })
  .strict();

/** Whether the kind declares the metric as a count of people. */
export function countsPeople(kind: AggregateSource, metric: string): boolean {
  return sourceSpecs[kind].openData.peopleCounts?.includes(metric) ?? false;
}

/** The kind's numeric metrics: those a dataset may publish. */
export const numericMetrics = numericMetricsOf;

/** The unit of a metric as the kind's schema documents it (`kWh`, `%`, `dBm`, `1`), if any. */
export const metricUnit = metricUnitOf;

/** The FIWARE Smart Data Model attribute a metric maps to, if it has one (the gateway link has none). */
export function fiwareAttribute(kind: AggregateSource, metric: string): FiwareAttribute | undefined {
  return sourceSpecs[kind].openData.fiware?.[metric];
}

export const dataset = definition
  .superRefine((d, ctx) => {
    if (!numericMetrics(d.kind).includes(d.metric)) {
      ctx.addIssue({
        code: 'custom',
        path: ['metric'],
        message: `not a numeric metric of ${d.kind}; one of ${numericMetrics(d.kind).join(', ')}`,
      });
      return;
    }
    const minDelay = sourceSpecs[d.kind].openData.minDelayMinutes ?? 0;
    if (d.delayMinutes < minDelay)
      ctx.addIssue({
        code: 'custom',
        path: ['delayMinutes'],
        message: `at least ${minDelay} for ${d.kind} (docs/privacy.md: never published live)`,
      });
    const people = countsPeople(d.kind, d.metric);
    if (people && d.minCellSize === undefined)
      ctx.addIssue({ code: 'custom', path: ['minCellSize'], message: 'required: the metric counts people' });
    if (!people && d.minCellSize !== undefined)
      ctx.addIssue({ code: 'custom', path: ['minCellSize'], message: 'only for metrics that count people' });
    if (people && d.aggregate !== 'sum' && d.aggregate !== 'max')
      ctx.addIssue({
        code: 'custom',
        path: ['aggregate'],
        message:
          'a count of people is published as a sum or a maximum (a mean times the readings gives the sum back, unprotected)',
      });
  })
  .meta({ id: 'OpenDataset' });
export type Dataset = z.infer<typeof dataset>;
export type DatasetInput = z.input<typeof dataset>;

/** A bucket's length. */
export const bucketMs: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000 };

/** The EU frequency vocabulary's code for how often a dataset gains a bucket. */
export const updateFrequency: Record<Granularity, 'HOURLY' | 'DAILY'> = { hour: 'HOURLY', day: 'DAILY' };

/** How long a public answer may be cached: a twelfth of a bucket (5 minutes for hours, 2 hours for days). */
export const maxAgeSeconds: Record<Granularity, number> = { hour: 300, day: 7_200 };
