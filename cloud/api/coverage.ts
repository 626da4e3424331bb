import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { hourMs } from '../coverage/cell-hours.ts';
import { coverageClass, coverageMetric, rsrpThresholds, sinrThresholds } from '../coverage/classes.ts';
import { type Coverage, coverageGeoJson } from '../coverage/coverage.ts';
import { UnprocessableError } from '../errors/domain-error.ts';
import { bboxParam } from '../live/bbox.ts';
import { parseWith } from './errors.ts';
import { refusals } from './openapi-parts.ts';
import { isoTime } from './schemas.ts';

/** The longest range one answer covers, by granularity: a month of hours, a year of days. */
export const maxCoverageRange = { hour: 31 * 24 * hourMs, day: 366 * 24 * hourMs } as const;

/** The most cells (one per cell and bucket) one answer holds. */
export const maxCoverageCells = 10_000;

const wholeHour = (d: Date) => d.getTime() % hourMs === 0;

export const coverageQuery = z
  .object({
    from: isoTime
      .refine(wholeHour, 'a whole hour')
      .meta({ description: 'Start, on a whole hour (inclusive)' }),
    to: isoTime.refine(wholeHour, 'a whole hour').meta({ description: 'End, on a whole hour (exclusive)' }),
    granularity: z.enum(['hour', 'day']).default('hour').meta({
      description:
        'One figure per cell and hour, or per day: 24 hours counted from `from` (a local midnight)',
    }),
    metric: coverageMetric.default('both').meta({
      description: 'What decides the class: RSRP, SINR, or both (the worse of the two)',
    }),
    bbox: bboxParam.optional().meta({ description: 'Only cells whose centre is in this box (default: all)' }),
  })
  .strict()
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['from'] })
  .refine((q) => q.to.getTime() - q.from.getTime() <= maxCoverageRange[q.granularity], {
    message: 'at most 31 days by the hour, 366 days by the day',
    path: ['to'],
  });

const tallies = z.object({ rsrp: z.int(), sinr: z.int() });

export const coverageAnswer = z
  .object({
    type: z.literal('FeatureCollection'),
    features: z.array(
      z.object({
        type: z.literal('Feature'),
        id: z.string().meta({ description: 'cell@start' }),
        geometry: z.object({
          type: z.literal('Polygon'),
          coordinates: z.array(z.array(z.tuple([z.number(), z.number()]))),
        }),
        properties: z.object({
          cell: z.string().meta({ description: 'H3 cell index (resolution 8, about 0.74 km²)' }),
          start: z.string(),
          end: z.string(),
          class: coverageClass.meta({
            description: `RSRP ≥ ${rsrpThresholds.good} dBm good, ≥ ${rsrpThresholds.fair} fair, ≥ ${rsrpThresholds.poor} poor, below none; SINR ≥ ${sinrThresholds.good} dB good, ≥ ${sinrThresholds.fair} fair, below poor`,
          }),
          rsrp: z.number().nullable().meta({ unit: 'dBm', description: 'Mean RSRP; null: not measured' }),
          sinr: z.number().nullable().meta({ unit: 'dB', description: 'Mean SINR; null: not measured' }),
          readings: tallies.meta({ description: 'How many measurements back each mean' }),
          sources: z.int().meta({ description: 'How many devices and gateways measured there' }),
        }),
      }),
    ),
  })
  .meta({ id: 'CoverageCells' });

/** The coverage layer: mobile link quality per map cell and hour or day. */
export function coverageRoutes(coverage: Coverage): Router {
  const router = Router();
  router.get('/coverage', async (req, res) => {
    const q = parseWith(coverageQuery, req.query, 'query');
    const found = await coverage.cells(q);
    if ('tooMany' in found)
      throw new UnprocessableError(
        'Too many cells',
        `${found.tooMany} cells (at most ${coverage.maxCells}): narrow the box or the range, or ask by the day`,
      );
    res.type('application/geo+json').json(coverageGeoJson(found.cells, q.granularity));
  });
  return router;
}

export const coveragePaths: ZodOpenApiPathsObject = {
  '/api/v1/coverage': {
    get: {
      summary: 'Mobile coverage: link quality (RSRP, SINR) per map cell and hour or day, classified',
      description:
        "From the devices that measure their own link and the gateways' cellular uplinks, averaged per H3 cell; " +
        'a cell nobody measured in a bucket is not listed. Thresholds: docs/coverage.md.',
      requestParams: { query: coverageQuery },
      responses: {
        '200': {
          description: 'RFC 7946 FeatureCollection of hexagons',
          content: { 'application/geo+json': { schema: coverageAnswer } },
        },
        ...refusals(400, 422),
      },
    },
  },
};
