import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes } from '../../../../cloud/api/console.ts';

let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'console-'));
  await mkdir(join(dir, 'api', 'v1'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<!doctype html><p>console</p>');
  await writeFile(join(dir, 'robots.txt'), 'User-agent: *');
  // A file where an API path is: the API answers it, never the file.
  await writeFile(join(dir, 'api', 'v1', 'devices'), 'not the api');
  const app = express();
  app.use(consoleRoutes(dir));
  app.use((_req, res) => void res.status(404).send('not found here'));
  server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('console routes', () => {
  it("serve the build's files and leave API paths to the API", async () => {
    const robots = await fetch(`${base}/robots.txt`);
    expect([robots.status, await robots.text()]).toEqual([200, 'User-agent: *']);
    const api = await fetch(`${base}/api/v1/devices`);
    expect([api.status, await api.text()]).toEqual([404, 'not found here']);
    const page = await fetch(`${base}/map`, { headers: { accept: 'text/html' } });
    expect([page.status, await page.text()]).toEqual([200, '<!doctype html><p>console</p>']);
  });
});
