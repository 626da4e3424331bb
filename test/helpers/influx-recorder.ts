import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the cloud made to InfluxDB: its path, the database it named and the InfluxQL. */
export interface InfluxCall {
  method: string;
  path: '/query' | '/write' | string;
  db: string | null;
  q: string | null;
}

export interface InfluxRecorder {
  /** The URL to give the cloud as INFLUX_URL. */
  url: string;
  /** Every request so far, oldest first. */
  readonly calls: InfluxCall[];
  /** The calls made while `during` ran (others made meanwhile, by background jobs, included). */
  during(run: () => Promise<void>): Promise<InfluxCall[]>;
  stop(): Promise<void>;
}

/**
 * A recording HTTP proxy in front of a real influxd: the cloud talks to InfluxDB through it, and a
 * test reads which database each query and write named (`db`, as the v1 API takes it) without
 * touching the cloud's code.
 */
export async function recordInflux(influxUrl: string): Promise<InfluxRecorder> {
  const target = new URL(influxUrl);
  const calls: InfluxCall[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    calls.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      db: url.searchParams.get('db'),
      q: url.searchParams.get('q'),
    });
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      res.writeHead(502).end(String(error));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    async during(run) {
      const from = calls.length;
      await run();
      return calls.slice(from);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
