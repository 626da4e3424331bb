import { z } from 'zod';
import { location } from '../../shared/fleet.ts';
import { deviceKind, kindList } from '../../shared/kinds/index.ts';
import { aggregations } from '../dashboards/series-query.ts';
import { seriesResolutions } from '../dashboards/series-resolution.ts';
import { connectivity } from '../registry/registry.ts';

/** The answers of the dashboard routes (cloud/api/dashboards.ts), for the OpenAPI document. */

const series = z.object({
  kind: deviceKind,
  metric: z.string(),
  fn: z.enum(aggregations),
  from: z.string(),
  to: z.string(),
  every: z.string().meta({ description: 'The bucket size used (coarser than asked when `coarsened`)' }),
  coarsened: z.boolean(),
  resolution: z.enum(seriesResolutions).meta({
    description:
      'Where the points come from: raw readings, or the hourly or daily rollups (whole hours; whole local days)',
  }),
  points: z.array(z.object({ t: z.string(), v: z.number() })),
});

export const deviceSeries = series.extend({ deviceId: z.string() }).meta({ id: 'DeviceSeries' });
export const groupSeries = series.extend({ district: z.string().nullable() }).meta({ id: 'GroupSeries' });

/** Each kind's figures: total and online, its counts, its totals since local midnight, its ratios. */
const kindFigures = Object.fromEntries(
  kindList.map((spec) => {
    const names = ['total', 'online', ...Object.keys(spec.counts), ...Object.keys(spec.today ?? {})];
    const figures = Object.fromEntries(names.map((name) => [name, z.number()]));
    for (const name of Object.keys(spec.ratios ?? {})) figures[name] = z.number();
    return [spec.kind, z.object(figures).meta({ id: `${spec.kind}Figures` })];
  }),
);

export const fleetSummary = z
  .object({
    district: z.string().nullable(),
    generatedAt: z.string(),
    today: z.object({ since: z.string(), timezone: z.string() }),
    ...kindFigures,
    gateways: z.object({ total: z.int(), online: z.int() }),
  })
  .meta({ id: 'FleetSummary' });

export const deviceMap = z
  .object({
    type: z.literal('FeatureCollection'),
    features: z.array(
      z.object({
        type: z.literal('Feature'),
        id: z.string(),
        geometry: z.object({
          type: z.literal('Point'),
          coordinates: z.tuple([z.number(), z.number()]).meta({ description: '[longitude, latitude]' }),
        }),
        properties: z.object({
          id: z.string(),
          kind: deviceKind,
          district: z.string(),
          gatewayId: z.string(),
          name: z.string().nullable(),
          status: connectivity,
          condition: z.enum(['ok', 'fault', 'offline']),
          lastSeen: z.string().nullable(),
          latest: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
        }),
      }),
    ),
  })
  .meta({ id: 'DeviceMap', description: 'RFC 7946 FeatureCollection of the located devices' });

export const collectionRound = z
  .object({
    depot: location,
    threshold: z.number(),
    heuristic: z.string(),
    totalMeters: z.int(),
    stops: z.array(
      z.object({
        order: z.int(),
        deviceId: z.string(),
        district: z.string(),
        location,
        fillingLevel: z.union([z.string(), z.number(), z.boolean()]).nullable(),
        dateLastEmptying: z.union([z.string(), z.number(), z.boolean()]).nullable(),
      }),
    ),
  })
  .meta({ id: 'CollectionRound' });
