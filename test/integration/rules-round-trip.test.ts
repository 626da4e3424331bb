import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKindRulePacks } from '../../cloud/rules/store.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { apiFetch, getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';

/** What GET returns, PUT accepts unchanged: every default rule, and the whole set through export and import. */
let influxd: LocalInfluxd;
let cloud: TestCloud;
const send = (method: string, path: string, body: unknown) =>
  apiFetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const defaultIds = (await readKindRulePacks('provisioning/kinds')).map((r) => r.id).sort();

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url);
});

afterAll(async () => {
  await cloud?.stop();
  await influxd?.stop();
});

describe('a rule read and sent back unchanged', () => {
  it('covers the default rules of every kind', () => {
    expect(defaultIds.length).toBeGreaterThanOrEqual(17);
  });

  it.each(defaultIds)('%s: GET, then PUT of the same body, answers 200 with the same rule', async (id) => {
    const read = await getJson(`${cloud.apiUrl}/api/v1/rules/${id}`);
    expect(read.status).toBe(200);
    const put = await send('PUT', `/api/v1/rules/${id}`, read.body);
    const answer = await put.json();
    expect({ status: put.status, answer }).toEqual({ status: 200, answer: read.body });
    expect((await getJson(`${cloud.apiUrl}/api/v1/rules/${id}`)).body).toEqual(read.body);
  });

  it('keeps durations as people write them', async () => {
    const { body } = await getJson<{ items: Record<string, unknown>[] }>(`${cloud.apiUrl}/api/v1/rules`);
    const durations = body.items.flatMap((r) =>
      ['for', 'autoClearAfter', 'escalateAfter', 'minInterval']
        .map((f) => r[f])
        .filter((v) => v !== undefined),
    );
    expect(durations.length).toBeGreaterThan(0);
    for (const d of durations) expect(d).toMatch(/^[1-9]\d*[smhd]$/);
  });
});

describe('export, then import', () => {
  it('gives back the same rules', async () => {
    const before = await getJson<unknown[]>(`${cloud.apiUrl}/api/v1/rules`);
    const exported = await getJson<{ id: string }[]>(`${cloud.apiUrl}/api/v1/rules/export`);
    expect(exported.body.map((r) => r.id)).toEqual(expect.arrayContaining(defaultIds));
    const imported = await send('POST', '/api/v1/rules/import', exported.body);
    expect({ status: imported.status, body: await imported.json() }).toEqual({
      status: 200,
      body: { imported: exported.body.length },
    });
    expect((await getJson(`${cloud.apiUrl}/api/v1/rules/export`)).body).toEqual(exported.body);
    expect((await getJson(`${cloud.apiUrl}/api/v1/rules`)).body).toEqual(before.body);
  });

  it('names the field of an invalid rule in an import by its index', async () => {
    const exported = await getJson<Record<string, unknown>[]>(`${cloud.apiUrl}/api/v1/rules/export`);
    const broken = exported.body.map((r, i) => (i === 1 ? { ...r, for: 600_000 } : r));
    const res = await send('POST', '/api/v1/rules/import', broken);
    const problem = (await res.json()) as { errors: { path: string }[] };
    expect(res.status).toBe(400);
    expect(problem.errors.map((e) => e.path)).toContain('body.1.for');
  });
});
