import { afterEach, describe, expect, it } from 'vitest';
import { portOf, startWorkerHttp } from '../../../../cloud/cluster/worker-http.ts';

describe("a storage worker's health routes", () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  async function serve(refusing: string[], degraded: string[]) {
    const server = await startWorkerHttp(
      { refusing: () => refusing, degraded: () => degraded, detail: async () => ({ counters: { n: 1 } }) },
      0,
      '127.0.0.1',
    );
    stop = () => server.close();
    const base = `http://127.0.0.1:${portOf(server)}`;
    return async (path: string) => {
      const res = await fetch(`${base}${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
  }

  it('is live and ready while it can take batches, and says what is degraded', async () => {
    const get = await serve([], ['InfluxDB refuses writes: down']);
    expect(await get('/health/live')).toEqual({ status: 200, body: { live: true } });
    expect(await get('/health/ready')).toEqual({ status: 200, body: { ready: true, reasons: [] } });
    expect(await get('/health')).toEqual({
      status: 200,
      body: { status: 'degraded', reasons: ['InfluxDB refuses writes: down'], counters: { n: 1 } },
    });
  });

  it('is not ready while it cannot, and answers 404 elsewhere', async () => {
    const get = await serve(['NATS is not reachable'], []);
    expect(await get('/health/ready')).toEqual({
      status: 503,
      body: { ready: false, reasons: ['NATS is not reachable'] },
    });
    expect((await get('/health')).body.status).toBe('failing');
    expect((await get('/nope')).status).toBe(404);
  });
});
