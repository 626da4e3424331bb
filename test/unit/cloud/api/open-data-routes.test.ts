import type { Server } from 'node:http';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '../../../../cloud/access/memory-audit.ts';
import type { Principal } from '../../../../cloud/access/principal.ts';
import { problemHandler } from '../../../../cloud/api/errors.ts';
import { openDataRoutes } from '../../../../cloud/api/open-data.ts';
import { openDatasetRoutes } from '../../../../cloud/api/open-datasets.ts';
import { MemoryDatasetStore } from '../../../../cloud/open-data/memory-store.ts';
import type { OpenData } from '../../../../cloud/open-data/part.ts';
import { placeLocator } from '../../../../cloud/open-data/places.ts';
import { DatasetService } from '../../../../cloud/open-data/service.ts';
import { FakeAggregateReader } from '../../../helpers/fake-aggregates.ts';
import { datasetOf } from '../open-data/fixtures.ts';

/** A day after the readings: a camera's data is published 24 hours after the fact. */
const now = new Date('2025-12-02T09:20:00.000Z');
const reader = new FakeAggregateReader('Europe/Prague');
const audit = new MemoryAuditLog();
const towns: Record<string, { openData: OpenData; name: string; status: 'active' | 'suspended' }> = {};

function town(id: string, status: 'active' | 'suspended'): OpenData {
  const datasets = new DatasetService(new MemoryDatasetStore());
  const openData: OpenData = {
    datasets,
    source: {
      reader,
      timezone: () => 'Europe/Prague',
      now: () => now,
      datasets: () => datasets.list(),
      entity: { tenant: id, provider: id, locate: placeLocator(() => []) },
    },
  };
  towns[id] = { openData, name: id, status };
  return openData;
}

let server: Server;
let base: string;
let role: Principal['role'] = 'admin';

beforeAll(async () => {
  const kv = town('karlovy-vary', 'active');
  await kv.datasets.create(datasetOf());
  await kv.datasets.create(datasetOf({ id: 'draft', published: false }));
  await town('loket', 'suspended').datasets.create(datasetOf());
  town('ostrov', 'active');
  for (const [hour, value] of [
    [7, 40],
    [8, 2],
  ])
    reader.add({
      at: new Date(Date.UTC(2025, 11, 1, hour as number, 10)),
      kind: 'camera',
      metric: 'peopleCount',
      value: value as number,
      district: 'centrum',
      zone: '881e204a93fffff',
      deviceId: 'cam-1',
    });
  const app = express();
  app.set('query parser', 'simple');
  app.use(
    '/open',
    openDataRoutes({
      requestsPerMinute: 40,
      publisher: (id) => {
        const found = towns[id];
        return found?.status === 'active' ? found : undefined;
      },
    }),
  );
  app.use(express.json());
  app.use('/api/v1', (_req, res, next) => {
    res.locals.principal = {
      kind: 'token',
      id: 't',
      name: 'probe',
      role,
      tenant: 'karlovy-vary',
      grants: [],
    };
    next();
  });
  app.use(
    '/api/v1',
    openDatasetRoutes(kv, audit, () => now),
  );
  app.use(problemHandler(pino({ level: 'silent' })));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

describe('the public open-data API', () => {
  it('serves a published dataset without a token, cacheable, and 304 when nothing changed', async () => {
    const res = await get('/open/karlovy-vary/datasets/people-by-zone/data.csv?from=2025-12-01T07:00:00Z');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const etag = res.headers.get('etag') as string;
    expect(etag).toMatch(/^"[\w-]{43}"$/);
    expect(await res.text()).toBe(
      'start,end,district,value_count,readings,suppressed\r\n' +
        '2025-12-01T07:00:00.000Z,2025-12-01T08:00:00.000Z,centrum,40,1,false\r\n' +
        '2025-12-01T08:00:00.000Z,2025-12-01T09:00:00.000Z,centrum,,1,true\r\n',
    );
    const again = await get('/open/karlovy-vary/datasets/people-by-zone/data.csv?from=2025-12-01T07:00:00Z', {
      'If-None-Match': `"other", W/${etag}`,
    });
    expect([again.status, await again.text()]).toEqual([304, '']);
    const json = await get('/open/karlovy-vary/datasets/people-by-zone/data.json?from=2025-12-01T07:00:00Z', {
      'If-None-Match': etag,
    });
    expect(json.status).toBe(200);
    expect(json.headers.get('etag')).not.toBe(etag);
  });

  it('answers the one 404 for what is not published: a draft, an unknown id, a suspended, unknown or silent town', async () => {
    const paths = [
      '/open/karlovy-vary/datasets/draft',
      '/open/karlovy-vary/datasets/draft/data.csv',
      '/open/karlovy-vary/datasets/none/data.json',
      '/open/karlovy-vary/datasets/people-by-zone/data.xml',
      '/open/loket/catalog',
      '/open/loket/datasets/people-by-zone/data.csv',
      '/open/nowhere/catalog',
      '/open/ostrov/catalog',
      '/open/ostrov/ngsi-ld/v1/entities?type=CrowdFlowObserved',
      '/open/karlovy-vary/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:CrowdFlowObserved:karlovy-vary:draft:centrum',
    ];
    for (const path of paths) {
      const res = await get(path);
      const body = (await res.json()) as { detail: string };
      expect([path, res.status, body.detail]).toEqual([path, 404, 'nothing is published here']);
    }
  });

  it('lists only published datasets in the catalogue, and answers NGSI-LD as JSON-LD', async () => {
    const catalogue = await get('/open/karlovy-vary/catalog');
    expect(catalogue.headers.get('content-type')).toMatch(/^application\/ld\+json/);
    const body = (await catalogue.json()) as { datová_sada: string[] };
    expect(body.datová_sada).toEqual([`${base}/open/karlovy-vary/datasets/people-by-zone`]);
    const entities = await get(
      '/open/karlovy-vary/ngsi-ld/v1/entities?type=CrowdFlowObserved&options=keyValues',
    );
    // The latest hour (08:00) is suppressed: the entity has its date and place, no count.
    expect(await entities.json()).toEqual([
      expect.objectContaining({ type: 'CrowdFlowObserved', dateObservedFrom: '2025-12-01T08:00:00.000Z' }),
    ]);
    const bad = await get('/open/karlovy-vary/ngsi-ld/v1/entities');
    expect([bad.status, ((await bad.json()) as { type: string }).type]).toEqual([
      400,
      'https://uri.etsi.org/ngsi-ld/errors/BadRequestData',
    ]);
  });

  it('refuses a client address past its requests a minute with 429', async () => {
    let status = 0;
    for (let i = 0; i < 45 && status !== 429; i++) status = (await get('/open/karlovy-vary/catalog')).status;
    expect(status).toBe(429);
  });
});

describe('the admin API of datasets', () => {
  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${base}/api/v1/open-data${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('defines, changes and deletes datasets, each change in the audit log', async () => {
    const power = {
      ...datasetOf({
        id: 'power',
        kind: 'streetlight',
        metric: 'activePower',
        aggregate: 'mean',
        minCellSize: undefined,
      }),
    };
    expect((await send('POST', '/datasets', power)).status).toBe(201);
    expect((await send('POST', '/datasets', power)).status).toBe(409);
    const changed = await send('PUT', '/datasets/power', { ...power, published: false });
    expect([changed.status, ((await changed.json()) as { published: boolean }).published]).toEqual([
      200,
      false,
    ]);
    const invalid = await send('PUT', '/datasets/power', { ...power, metric: 'powerState' });
    expect(invalid.status).toBe(400);
    expect((await send('DELETE', '/datasets/power')).status).toBe(204);
    expect((await send('DELETE', '/datasets/power')).status).toBe(404);
    const { items } = await audit.list(10, 0);
    expect(items.map((e) => [e.action, e.target, e.actor])).toEqual([
      ['dataset.delete', 'power', 'probe'],
      ['dataset.update', 'power', 'probe'],
      ['dataset.create', 'power', 'probe'],
    ]);
  });

  it('previews a draft as the public would see it', async () => {
    const res = await send('GET', '/datasets/draft/preview?from=2025-12-01T07:00:00Z');
    const body = (await res.json()) as { rows: { value: number | null }[] };
    expect(body.rows.map((r) => r.value)).toEqual([40, null]);
  });

  it('is for admins only', async () => {
    role = 'operator';
    try {
      expect((await send('GET', '/datasets')).status).toBe(403);
      expect((await send('PUT', '/catalogue', {})).status).toBe(403);
    } finally {
      role = 'admin';
    }
  });
});
