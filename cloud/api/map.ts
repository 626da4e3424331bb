import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { location } from '../../shared/fleet.ts';
import { deviceKind } from '../../shared/kinds/index.ts';
import { UnprocessableError } from '../errors/domain-error.ts';
import { bboxParam } from '../live/bbox.ts';
import type { DeviceMap } from '../live/device-map.ts';
import { mapState } from '../live/map-state.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { sendParts } from './byte-answers.ts';
import { parseWith } from './errors.ts';
import { district } from './schemas.ts';

/** The map's answers are bytes, to which express adds no charset; JSON is UTF-8 (RFC 8259). */
const geoJsonUtf8 = 'application/geo+json; charset=utf-8';

/** Most features a clusters answer holds; a viewport with more (a whole city at street zoom) is refused. */
export const maxClusterFeatures = 20_000;

export const clustersQuery = z
  .object({
    bbox: bboxParam,
    zoom: z.coerce.number().int().min(0).max(22).meta({ description: 'Map zoom level, 0-22' }),
    kind: deviceKind.optional(),
    district: district.optional(),
    state: mapState.optional().meta({ description: 'Only devices in this map state' }),
  })
  .strict();

export const mapQuery = z
  .object({
    bbox: bboxParam.optional().meta({ description: 'Only devices in this box (default: everywhere)' }),
    kind: deviceKind.optional(),
    district: district.optional(),
    limit: z.coerce.number().int().min(1).max(5_000).default(1_000).meta({ description: 'Most features' }),
  })
  .strict();

const point = z.object({ type: z.literal('Point'), coordinates: z.tuple([z.number(), z.number()]) });
const counts = z.object(
  Object.fromEntries(mapState.options.map((s) => [s, z.int()])) as Record<z.infer<typeof mapState>, z.ZodInt>,
);

const clusterFeature = z.object({
  type: z.literal('Feature'),
  id: z.union([z.int(), z.string()]),
  geometry: point,
  properties: z.union([
    z.object({
      cluster: z.literal(true),
      id: z.int(),
      count: z.int(),
      states: counts,
      worst: mapState,
      expansionZoom: z.int().meta({ description: 'The zoom at which this cluster splits' }),
    }),
    z.object({
      cluster: z.literal(false),
      id: z.string(),
      kind: deviceKind,
      district: z.string(),
      state: mapState,
    }),
  ]),
});
export const clustersAnswer = z
  .object({ type: z.literal('FeatureCollection'), features: z.array(clusterFeature) })
  .meta({ id: 'MapClusters' });

export const districtsAnswer = z
  .object({
    type: z.literal('FeatureCollection'),
    features: z.array(
      z.object({
        type: z.literal('Feature'),
        geometry: z.object({
          type: z.literal('Polygon'),
          coordinates: z.array(z.array(z.tuple([z.number(), z.number()]))),
        }),
        properties: z.object({ district: z.string(), devices: z.int() }),
      }),
    ),
  })
  .meta({ id: 'MapDistricts' });

export const mapSettings = z
  .object({
    city: z.object({ name: z.string(), timezone: z.string(), location }).nullable(),
    bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable().meta({
      description: '[west, south, east, north] of the located devices (null: none)',
    }),
    tileUrl: z.string().nullable().meta({ description: 'MAP_TILE_URL; null: no external tiles' }),
    attribution: z.string().nullable(),
  })
  .meta({ id: 'MapSettings' });

export interface MapRouteOptions {
  registry: DeviceRegistry;
  map: DeviceMap;
  tileUrl?: string;
  attribution?: string;
}

/** The console's map: clusters with state counts, district outlines, settings, and devices in a box. */
export function mapRoutes({ registry, map, tileUrl, attribution }: MapRouteOptions): Router {
  const router = Router();
  router.get('/map/clusters', (req, res) => {
    const q = parseWith(clustersQuery, req.query, 'query');
    const found = map.clusters(q.bbox, q.zoom, q);
    if (found.count > maxClusterFeatures)
      throw new UnprocessableError(
        'Too many features',
        `${found.count} features in this box at zoom ${q.zoom} (at most ${maxClusterFeatures}): zoom out or narrow the box`,
      );
    sendParts(res, geoJsonUtf8, found.json());
  });
  router.get('/map/districts', async (_req, res) => {
    res.type('application/geo+json').json(await map.districts());
  });
  router.get('/map/settings', (_req, res) => {
    const city = registry.city;
    res.json({
      city: city ? { name: city.name, timezone: city.timezone, location: city.location } : null,
      bounds: map.bounds(),
      tileUrl: tileUrl ?? null,
      attribution: attribution ?? null,
    } satisfies z.infer<typeof mapSettings>);
  });
  router.get('/map', async (req, res) => {
    const q = parseWith(mapQuery, req.query, 'query');
    const everywhere: [number, number, number, number] = [-180, -90, 180, 90];
    sendParts(res, geoJsonUtf8, await map.featuresWithin(q.bbox ?? everywhere, q, q.limit));
  });
  return router;
}

const geoJson = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/geo+json': { schema } },
});
const problems = {
  '400': { description: 'Invalid request', content: { 'application/problem+json': { schema: z.unknown() } } },
};

export const mapPaths: ZodOpenApiPathsObject = {
  '/api/v1/map/clusters': {
    get: {
      summary: 'Devices clustered for a viewport and zoom, with state counts per cluster',
      requestParams: { query: clustersQuery },
      responses: {
        '200': geoJson('RFC 7946 FeatureCollection of clusters and lone devices', clustersAnswer),
        ...problems,
        '422': {
          description: `More than ${maxClusterFeatures} features: zoom out or narrow the box`,
          content: { 'application/problem+json': { schema: z.unknown() } },
        },
      },
    },
  },
  '/api/v1/map/districts': {
    get: {
      summary: "District outlines generated from the devices' positions",
      responses: { '200': geoJson('A Polygon per district', districtsAnswer) },
    },
  },
  '/api/v1/map/settings': {
    get: {
      summary: 'What the console draws the map with: the city, the bounds of the fleet, tiles',
      responses: {
        '200': { description: 'Settings', content: { 'application/json': { schema: mapSettings } } },
      },
    },
  },
  '/api/v1/map': {
    get: {
      summary: 'Located devices with their status and latest values, in a box, at most `limit`',
      requestParams: { query: mapQuery },
      responses: {
        '200': geoJson(
          'RFC 7946 FeatureCollection; numberMatched and numberReturned (foreign members) tell whether the limit cut it',
          z.looseObject({
            type: z.literal('FeatureCollection'),
            features: z.array(z.unknown()),
            numberMatched: z.int(),
            numberReturned: z.int(),
          }),
        ),
        ...problems,
      },
    },
  },
};
