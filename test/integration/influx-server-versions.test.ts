import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Point } from '@influxdata/influxdb-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureRollupPolicy } from '../../cloud/rollups/rollup-policy.ts';
import { connectInflux } from '../../cloud/storage/influx.ts';
import { silentLog } from '../helpers/cloud.ts';

/**
 * InfluxDB 2.x and 3.x cannot run on these machines, so this test checks the HTTP requests our
 * adapter sends to a server that announces itself as 1.6, 1.8, 2.7 or 3.x, against the documented
 * API of each (the real 1.6.7 is exercised by every other integration test).
 */
interface Seen {
  method: string;
  path: string;
  authorization?: string;
  body: string;
}

let server: Server | undefined;

async function fakeInflux(version: string): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      body,
    });
    res.setHeader('X-Influxdb-Version', version);
    if (req.url?.startsWith('/ping')) return res.writeHead(204).end();
    const json = (value: unknown) =>
      res.setHeader('Content-Type', 'application/json').end(JSON.stringify(value));
    // InfluxDB 2.x's organisations, buckets and DBRP mappings: one org "acme", no bucket yet.
    if (req.url?.startsWith('/api/v2/orgs')) return json({ orgs: [{ id: 'org1', name: 'acme' }] });
    if (req.url?.startsWith('/api/v2/buckets') && req.method === 'GET') return json({ buckets: [] });
    if (req.url === '/api/v2/buckets' && req.method === 'POST') return json({ id: 'bucket1', name: 'city' });
    if (req.url?.startsWith('/api/v2/dbrps') && req.method === 'GET') return json({ content: [] });
    if (req.url === '/api/v2/dbrps' && req.method === 'POST') return json({ content: { id: 'dbrp1' } });
    if (req.url?.startsWith('/query')) {
      res.setHeader('Content-Type', 'application/json');
      return res.end(
        JSON.stringify({
          results: [{ statement_id: 0, series: [{ name: 'm', columns: ['time', 'v'], values: [[1, 2]] }] }],
        }),
      );
    }
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}`, seen };
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

async function exercise(version: string, token: string) {
  const fake = await fakeInflux(version);
  const influx = await connectInflux({ url: fake.url, token, database: 'city', org: 'acme' });
  const api = influx.writeApi({ batchSize: 10, flushInterval: 0 });
  api.writePoint(
    new Point('streetlight')
      .tag('device', 'lamp 1')
      .floatField('activePower', 1.5)
      .timestamp(new Date(1_000)),
  );
  await api.close();
  const series = await influx.select('SELECT "v" FROM "m"');
  return { seen: fake.seen.filter((s) => !s.path.startsWith('/ping')), series, influx };
}

describe('InfluxDB server versions', () => {
  it('1.6 (no /api/v2/write): creates the database and writes to /write?db', async () => {
    const { seen, series } = await exercise('1.6.7~rc0', '');
    expect(seen.map((s) => `${s.method} ${s.path.split('&q=')[0]}`)).toEqual([
      'POST /query?db=city',
      'POST /write?db=city&precision=ms',
      'GET /query?db=city',
    ]);
    expect(seen[1]?.body).toBe('streetlight,device=lamp\\ 1 activePower=1.5 1000');
    expect(series[0]?.values).toEqual([[1, 2]]);
  });

  it('2.7: creates the bucket and its DBRP mapping, writes to /api/v2/write with org, bucket and token, reads InfluxQL over /query with the token', async () => {
    const { seen, influx } = await exercise('v2.7.10', 's3cret');
    expect(influx.server.v1WriteOnly).toBe(false);
    expect(seen.map((s) => `${s.method} ${s.path.split('&q=')[0]}`)).toEqual([
      'GET /api/v2/orgs?org=acme',
      'GET /api/v2/buckets?orgID=org1&name=city',
      'POST /api/v2/buckets',
      'GET /api/v2/dbrps?orgID=org1&db=city',
      'POST /api/v2/dbrps',
      'POST /api/v2/write?org=acme&bucket=city&precision=ms',
      'GET /query?db=city',
    ]);
    expect(JSON.parse(seen[2]?.body ?? '')).toEqual({ orgID: 'org1', name: 'city', retentionRules: [] });
    expect(JSON.parse(seen[4]?.body ?? '')).toEqual({
      orgID: 'org1',
      bucketID: 'bucket1',
      database: 'city',
      retention_policy: 'autogen',
      default: true,
    });
    expect(seen.every((s) => s.authorization === 'Token s3cret')).toBe(true);
  });

  it('2.7: keeps the rollups in a bucket of their own, with their retention, mapped to (database, rollups) for /write?rp= and InfluxQL', async () => {
    const fake = await fakeInflux('v2.7.10');
    const influx = await connectInflux({ url: fake.url, token: 's3cret', database: 'city', org: 'acme' });
    await influx.setUp();
    const before = fake.seen.length;
    await ensureRollupPolicy(influx, 3_650, silentLog);
    const seen = fake.seen.slice(before).filter((s) => !s.path.startsWith('/ping'));
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'GET /api/v2/orgs?org=acme',
      'GET /api/v2/buckets?orgID=org1&name=city%2Frollups',
      'POST /api/v2/buckets',
      'GET /api/v2/dbrps?orgID=org1&db=city',
      'POST /api/v2/dbrps',
    ]);
    expect(JSON.parse(seen[2]?.body ?? '')).toEqual({
      orgID: 'org1',
      name: 'city/rollups',
      retentionRules: [{ type: 'expire', everySeconds: 3_650 * 86_400 }],
    });
    expect(JSON.parse(seen[4]?.body ?? '')).toEqual({
      orgID: 'org1',
      bucketID: 'bucket1',
      database: 'city',
      retention_policy: 'rollups',
      default: false,
    });
  });

  it('1.8 and 3.x: use /api/v2/write too', async () => {
    for (const version of ['1.8.10', '3.0.1']) {
      const { seen } = await exercise(version, 't');
      expect(seen.some((s) => s.path.startsWith('/api/v2/write?'))).toBe(true);
      await new Promise((resolve) => server?.close(resolve));
    }
  });
});
