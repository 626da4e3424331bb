import { type Request, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { NotFoundError, TooManyRequestsError } from '../errors/domain-error.ts';
import { maxAgeSeconds } from '../open-data/dataset.ts';
import { catalogueRecord, datasetRecord } from '../open-data/dcat.ts';
import { oneEntity, queryEntities, temporalEntities } from '../open-data/ngsi-ld.ts';
import { parseEntityQuery, parseTemporalQuery } from '../open-data/ngsi-query.ts';
import type { OpenData } from '../open-data/part.ts';
import { publishedCells, publishedUntil, rangeOf } from '../open-data/published-rows.ts';
import { tableRows, toCsv, toJson } from '../open-data/tables.ts';
import { sendCached } from './open-data-cache.ts';
import { refusals } from './openapi-parts.ts';

export interface OpenDataRouteDeps {
  /** A tenant that publishes: its open data and name; undefined for one that does not exist or is suspended. */
  publisher: (tenant: string) => { openData: OpenData; name: string } | undefined;
  /** OPEN_DATA_REQUESTS_PER_MINUTE: per client address. */
  requestsPerMinute: number;
}

/** The one answer to anything not published: a tenant, dataset or entity that does not exist, is suspended or is not published. */
const notPublished = () => new NotFoundError('nothing is published here');

/** The catalogue and NGSI-LD answers may be cached for five minutes. */
const listingMaxAgeS = 300;

const ldJson = 'application/ld+json';

type Query = Record<string, string | undefined>;
const queryOf = (req: Request) => req.query as Query;

const tenantPath = z.object({ tenant: z.string().meta({ description: 'The tenant (town) id' }) });
const datasetPath = tenantPath.extend({ id: z.string().meta({ description: 'The dataset id' }) });
const entityPath = tenantPath.extend({
  entityId: z.string().meta({ description: 'An NGSI-LD entity id (URN)' }),
});
const rangeQuery = z.object({
  from: z
    .string()
    .optional()
    .meta({ description: 'ISO 8601; default: a week of hours or a year of days before `to`' }),
  to: z.string().optional().meta({ description: 'ISO 8601, exclusive; default: what may be published now' }),
});
const listQuery = z.object({
  type: z.string().optional().meta({ description: 'Entity types, comma-separated (e.g. CrowdFlowObserved)' }),
  id: z.string().optional().meta({ description: 'Entity ids, comma-separated' }),
  attrs: z.string().optional().meta({ description: 'Attributes to answer, comma-separated' }),
  q: z
    .string()
    .optional()
    .meta({ description: 'Terms joined by `;`: attribute op value, op one of == != > >= < <=' }),
  limit: z.string().optional(),
  offset: z.string().optional(),
  options: z.string().optional().meta({ description: '`keyValues` for the simplified form' }),
});
const temporalQuery = listQuery.omit({ q: true }).extend({
  timerel: z.enum(['before', 'after', 'between']).optional(),
  timeAt: z.string().optional(),
  endTimeAt: z.string().optional(),
  options: z.string().optional().meta({ description: '`temporalValues` for the simplified temporal form' }),
});

const jsonLd = (description: string) => ({
  '200': {
    description,
    content: { 'application/ld+json': { schema: z.unknown() } },
  },
  '304': { description: 'Not modified (If-None-Match named the ETag)' },
});

/** A public operation: no token, rate-limited per address. */
const publicOperation = (operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  ...operation,
  security: [],
  responses: { ...operation.responses, ...refusals(404, 429) },
});

export const openDataPaths: ZodOpenApiPathsObject = {
  '/open/{tenant}/catalog': {
    get: publicOperation({
      summary: "The tenant's open-data catalogue, DCAT-AP-CZ JSON-LD (no token)",
      requestParams: { path: tenantPath },
      responses: jsonLd('dcat:Catalog, its datasets by IRI'),
    }),
  },
  '/open/{tenant}/datasets/{id}': {
    get: publicOperation({
      summary: "A published dataset's record, DCAT-AP-CZ JSON-LD (no token)",
      requestParams: { path: datasetPath },
      responses: jsonLd('dcat:Dataset with its distributions'),
    }),
  },
  '/open/{tenant}/datasets/{id}/data.{format}': {
    get: publicOperation({
      summary: "A published dataset's data, CSV (RFC 4180) or JSON (no token; cacheable)",
      requestParams: {
        path: datasetPath.extend({ format: z.enum(['csv', 'json']) }),
        query: rangeQuery,
      },
      responses: {
        '200': {
          description: 'One row per bucket and place; a suppressed count has no value',
          content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.unknown() } },
        },
        '304': { description: 'Not modified (If-None-Match named the ETag)' },
        ...refusals(400),
      },
    }),
  },
  '/open/{tenant}/ngsi-ld/v1/entities': {
    get: publicOperation({
      summary: 'NGSI-LD entities (FIWARE Smart Data Models) at their latest published bucket (no token)',
      requestParams: { path: tenantPath, query: listQuery },
      responses: { ...jsonLd('The entities, each with its @context'), ...refusals(400) },
    }),
  },
  '/open/{tenant}/ngsi-ld/v1/entities/{entityId}': {
    get: publicOperation({
      summary: 'One NGSI-LD entity at its latest published bucket (no token)',
      requestParams: { path: entityPath, query: listQuery.pick({ attrs: true, options: true }) },
      responses: jsonLd('The entity'),
    }),
  },
  '/open/{tenant}/ngsi-ld/v1/temporal/entities': {
    get: publicOperation({
      summary: 'NGSI-LD temporal representation of entities: each published bucket of a range (no token)',
      requestParams: { path: tenantPath, query: temporalQuery },
      responses: { ...jsonLd('The entities with their attribute instances'), ...refusals(400) },
    }),
  },
  '/open/{tenant}/ngsi-ld/v1/temporal/entities/{entityId}': {
    get: publicOperation({
      summary: 'NGSI-LD temporal representation of one entity (no token)',
      requestParams: { path: entityPath, query: temporalQuery.omit({ type: true, id: true }) },
      responses: { ...jsonLd('The entity with its attribute instances'), ...refusals(400) },
    }),
  },
};

/**
 * The public open-data API, without a token, per tenant under /open/{tenant}: its DCAT-AP-CZ
 * catalogue, each published dataset's record and data (CSV, JSON), and NGSI-LD entities of the FIWARE
 * Smart Data Models. Rate-limited per client address, cacheable (ETag, Cache-Control, 304). What is
 * not published answers 404, the same as what does not exist (docs/open-data.md).
 */
export function openDataRoutes(deps: OpenDataRouteDeps): Router {
  const router = Router();
  router.use(
    rateLimit({
      windowMs: 60_000,
      limit: deps.requestsPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: () => {
        throw new TooManyRequestsError(`more than ${deps.requestsPerMinute} open-data requests a minute`);
      },
    }),
  );
  /** The tenant, if it publishes anything: one that does not, is suspended or does not exist answers 404 alike. */
  const publisherOf = async (req: Request) => {
    const found = deps.publisher(String(req.params.tenant));
    if (!found || !(await found.openData.datasets.list()).some((d) => d.published)) throw notPublished();
    return found;
  };
  const links = (req: Request) => ({
    base: `${req.protocol}://${req.get('host')}/open/${req.params.tenant}`,
  });
  const published = async (req: Request) => {
    const publisher = await publisherOf(req);
    const dataset = await publisher.openData.datasets.published(String(req.params.id)).catch(() => {
      throw notPublished();
    });
    return { ...publisher, dataset };
  };

  router.get('/:tenant/catalog', async (req, res) => {
    const { openData, name } = await publisherOf(req);
    const settings = await openData.datasets.catalogue();
    const body = catalogueRecord(await openData.datasets.list(), links(req), { tenantName: name, settings });
    sendCached(req, res, JSON.stringify(body), ldJson, listingMaxAgeS);
  });
  router.get('/:tenant/datasets/:id', async (req, res) => {
    const { openData, name, dataset } = await published(req);
    const settings = await openData.datasets.catalogue();
    const body = datasetRecord(dataset, links(req), { tenantName: name, settings });
    sendCached(req, res, JSON.stringify(body), ldJson, listingMaxAgeS);
  });
  router.get('/:tenant/datasets/:id/data.:format', async (req, res) => {
    const format = req.params.format;
    if (format !== 'csv' && format !== 'json') throw notPublished();
    const { openData, dataset } = await published(req);
    const { source } = openData;
    const range = rangeOf(dataset, queryOf(req), publishedUntil(dataset, source.now(), source.timezone()));
    const rows = tableRows(dataset, await publishedCells(dataset, range, source), source.timezone());
    const maxAge = maxAgeSeconds[dataset.granularity];
    if (format === 'csv') {
      res.set('Content-Disposition', `attachment; filename="${dataset.id}.csv"`);
      sendCached(req, res, toCsv(dataset, rows), 'text/csv; charset=utf-8; header=present', maxAge);
    } else sendCached(req, res, JSON.stringify(toJson(dataset, rows, range)), 'application/json', maxAge);
  });
  router.get('/:tenant/ngsi-ld/v1/entities', async (req, res) => {
    const { openData } = await publisherOf(req);
    const entities = await queryEntities(openData.source, parseEntityQuery(queryOf(req)));
    sendCached(req, res, JSON.stringify(entities), ldJson, listingMaxAgeS);
  });
  router.get('/:tenant/ngsi-ld/v1/entities/:entityId', async (req, res) => {
    const { openData } = await publisherOf(req);
    const query = parseEntityQuery({ ...queryOf(req), id: String(req.params.entityId) });
    const entity = await oneEntity(openData.source, String(req.params.entityId), query);
    sendCached(req, res, JSON.stringify(entity), ldJson, listingMaxAgeS);
  });
  router.get('/:tenant/ngsi-ld/v1/temporal/entities', async (req, res) => {
    const { openData } = await publisherOf(req);
    const entities = await temporalEntities(openData.source, parseTemporalQuery(queryOf(req), false));
    sendCached(req, res, JSON.stringify(entities), ldJson, listingMaxAgeS);
  });
  router.get('/:tenant/ngsi-ld/v1/temporal/entities/:entityId', async (req, res) => {
    const { openData } = await publisherOf(req);
    const id = String(req.params.entityId);
    const query = { ...parseTemporalQuery(queryOf(req), true), ids: [id] };
    const [entity] = await temporalEntities(openData.source, query);
    if (!entity) throw notPublished();
    sendCached(req, res, JSON.stringify(entity), ldJson, listingMaxAgeS);
  });
  return router;
}
