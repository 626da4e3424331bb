import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { AuditLog } from '../access/audit.ts';
import {
  catalogueGaps,
  catalogueSettings,
  catalogueSettingsAnswer,
} from '../open-data/catalogue-settings.ts';
import { dataset } from '../open-data/dataset.ts';
import type { OpenData } from '../open-data/part.ts';
import { publishedCells, publishedUntil, rangeOf } from '../open-data/published-rows.ts';
import { tableRows, toJson } from '../open-data/tables.ts';
import { principalOf, requireRole } from './auth.ts';
import { answer, idPath, jsonBody, listOf, noContent, refusals } from './openapi-parts.ts';

const datasetIdPath = idPath('dataset id');

const preview = z
  .object({
    dataset: z.string(),
    unit: z.string().meta({ description: 'The unit of `value`: the metric\'s, or "readings" for a count' }),
    from: z.string(),
    to: z.string(),
    rows: z.array(z.record(z.string(), z.unknown())),
  })
  .loose()
  .meta({ id: 'OpenDatasetPreview', description: 'The data as the public API would serve it in JSON' });

const rangeQuery = z.object({
  from: z
    .string()
    .optional()
    .meta({ description: 'ISO 8601; default: a week of hours or a year of days before `to`' }),
  to: z.string().optional().meta({ description: 'ISO 8601, exclusive; default: what may be published now' }),
});

export const openDatasetPaths: ZodOpenApiPathsObject = {
  '/api/v1/open-data/datasets': {
    get: {
      summary: 'The datasets the tenant defined for publication (admin)',
      responses: { ...answer('The datasets', listOf(dataset)), ...refusals(403) },
    },
    post: {
      summary: 'Define a dataset (admin, audited); published only with `published: true`',
      requestBody: jsonBody(dataset),
      responses: { ...answer('The dataset, defaults filled in', dataset, '201'), ...refusals(400, 403, 409) },
    },
  },
  '/api/v1/open-data/datasets/{id}': {
    get: {
      summary: 'One dataset (admin)',
      requestParams: { path: datasetIdPath },
      responses: { ...answer('The dataset', dataset), ...refusals(403, 404) },
    },
    put: {
      summary: 'Change a dataset (admin, audited); the id is the one in the path',
      requestParams: { path: datasetIdPath },
      requestBody: jsonBody(dataset),
      responses: { ...answer('The dataset, defaults filled in', dataset), ...refusals(400, 403, 404, 409) },
    },
    delete: {
      summary: 'Delete a dataset (admin, audited): it is no longer published',
      requestParams: { path: datasetIdPath },
      responses: { ...noContent, ...refusals(403, 404) },
    },
  },
  '/api/v1/open-data/datasets/{id}/preview': {
    get: {
      summary: 'The data as the public would see it, published or not (admin)',
      requestParams: { path: datasetIdPath, query: rangeQuery },
      responses: { ...answer('The rows', preview), ...refusals(400, 403, 404) },
    },
  },
  '/api/v1/open-data/catalogue': {
    get: {
      summary: "The open-data catalogue's publisher, contact and place (admin)",
      responses: {
        ...answer(
          'The settings, and what the catalogue still lacks (the IČO: NKOD requires it)',
          catalogueSettingsAnswer,
        ),
        ...refusals(403),
      },
    },
    put: {
      summary: "Set the open-data catalogue's publisher, contact and place (admin, audited)",
      requestBody: jsonBody(catalogueSettings),
      responses: {
        ...answer('The settings, and what the catalogue still lacks', catalogueSettingsAnswer),
        ...refusals(400, 403),
      },
    },
  },
};

/** The tenant's open datasets under /api/v1/open-data: define, change, delete, preview (admin; changes audited). */
export function openDatasetRoutes(openData: OpenData, audit: AuditLog, now: () => Date): Router {
  const router = Router();
  const { datasets, source } = openData;
  const record = (
    res: Parameters<typeof principalOf>[0],
    action: string,
    target: string,
    before: unknown,
    after: unknown,
  ) => audit.record({ at: now().toISOString(), actor: principalOf(res).name, action, target, before, after });

  router.use('/open-data', requireRole('admin'));
  router.get('/open-data/datasets', async (_req, res) => {
    res.json({ items: await datasets.list() });
  });
  router.post('/open-data/datasets', async (req, res) => {
    const created = await datasets.create(req.body);
    await record(res, 'dataset.create', created.id, null, created);
    res.status(201).json(created);
  });
  router.get('/open-data/datasets/:id', async (req, res) => {
    res.json(await datasets.get(req.params.id));
  });
  router.put('/open-data/datasets/:id', async (req, res) => {
    const { before, after } = await datasets.replace(req.params.id, req.body);
    await record(res, 'dataset.update', after.id, before, after);
    res.json(after);
  });
  router.delete('/open-data/datasets/:id', async (req, res) => {
    const before = await datasets.delete(req.params.id);
    await record(res, 'dataset.delete', before.id, before, null);
    res.status(204).end();
  });
  router.get('/open-data/datasets/:id/preview', async (req, res) => {
    const found = await datasets.get(req.params.id);
    const query = req.query as { from?: string; to?: string };
    const range = rangeOf(found, query, publishedUntil(found, source.now(), source.timezone()));
    const rows = tableRows(found, await publishedCells(found, range, source), source.timezone());
    res.json(toJson(found, rows, range));
  });
  router.get('/open-data/catalogue', async (_req, res) => {
    const settings = await datasets.catalogue();
    res.json({ ...settings, missing: catalogueGaps(settings) });
  });
  router.put('/open-data/catalogue', async (req, res) => {
    const before = await datasets.catalogue();
    const after = await datasets.saveCatalogue(req.body);
    await record(res, 'open-data-catalogue.update', 'catalogue', before, after);
    res.json({ ...after, missing: catalogueGaps(after) });
  });
  return router;
}
