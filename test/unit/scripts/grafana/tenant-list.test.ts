import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantsFromApi, tenantsFromFile } from '../../../../scripts/grafana/tenant-list.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

const tenants = [
  { id: 'cheb', name: 'Cheb', timezone: 'Europe/Prague' },
  { id: 'bochov', name: 'Bochov' },
];

describe('tenantsFromFile', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await tempDir('tenant-list');
  });
  afterAll(() => dir.remove());

  let written = 0;
  async function file(content: unknown): Promise<string> {
    const path = join(dir.path, `list-${++written}.json`);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }

  it('reads an array of tenants and the body of GET /api/v1/tenants, ignoring the fields it does not need', async () => {
    expect(await tenantsFromFile(await file(tenants))).toEqual(tenants);
    const records = tenants.map((t) => ({ ...t, status: 'active', quotas: { devices: 10 } }));
    expect(await tenantsFromFile(await file({ items: records }))).toEqual(tenants);
  });

  it.each([
    ['two tenants with one name', [tenants[0], { id: 'cheb-2', name: 'Cheb' }], 'two tenants are named Cheb'],
    ['one tenant twice', [tenants[0], { ...tenants[0], name: 'Eger' }], 'the tenant cheb is listed twice'],
    ['an id that is not a tenant id', [{ id: 'Cheb', name: 'Cheb' }], '2 to 40 characters of a-z'],
    ['no name', [{ id: 'cheb' }], 'name'],
  ])('refuses %s', async (_, list, message) => {
    await expect(tenantsFromFile(await file(list))).rejects.toThrow(message);
  });

  it('names the file that is not JSON', async () => {
    const path = await file('{ not json');
    await expect(tenantsFromFile(path)).rejects.toThrow(`tenant list ${path}`);
  });
});

describe('tenantsFromApi', () => {
  const seen: { url?: string; authorization?: string }[] = [];
  let url: string;
  const server = createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    if (req.headers.authorization !== 'Bearer cst_region') {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"error":"the API token is not valid"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: tenants }));
  });
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => {
    server.close();
  });

  it('asks GET /api/v1/tenants with the region token', async () => {
    expect(await tenantsFromApi(url, 'cst_region')).toEqual(tenants);
    expect(seen.at(-1)).toEqual({ url: '/api/v1/tenants', authorization: 'Bearer cst_region' });
  });

  it('stops with the API’s refusal', async () => {
    await expect(tenantsFromApi(url, 'cst_wrong')).rejects.toThrow(
      `the platform API answered GET ${url}api/v1/tenants with 401: {"error":"the API token is not valid"}`,
    );
  });

  it('says so when nothing answers', async () => {
    await expect(tenantsFromApi('http://127.0.0.1:1', 'x')).rejects.toThrow(
      'the platform API did not answer',
    );
  });
});
