import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WorkerHealth {
  /** Why the worker cannot take batches now (NATS unreachable); empty when it can. */
  refusing(): string[];
  /** What fails while it still takes batches (InfluxDB refuses: they stay in the stream). */
  degraded(): string[];
  detail(): Promise<Record<string, unknown>>;
}

/**
 * The storage worker's health routes, as the cloud's: /health/live (the process answers),
 * /health/ready (it can move batches to InfluxDB now: 503 with the reasons when not) and /health
 * (status, backlog, counters).
 */
export async function startWorkerHttp(health: WorkerHealth, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(405, { error: 'GET only' });
    if (path === '/health/live') return send(200, { live: true });
    if (path === '/health/ready') {
      const reasons = health.refusing();
      return send(reasons.length === 0 ? 200 : 503, { ready: reasons.length === 0, reasons });
    }
    if (path === '/health') {
      const failing = health.refusing();
      const degraded = health.degraded();
      const status = failing.length > 0 ? 'failing' : degraded.length > 0 ? 'degraded' : 'ok';
      health.detail().then(
        (detail) => send(200, { status, reasons: [...failing, ...degraded], ...detail }),
        (error: Error) => send(500, { error: error.message }),
      );
      return;
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
