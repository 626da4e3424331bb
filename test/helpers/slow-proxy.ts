import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of `target` (host:port) that, while `slow`, holds each response back for a
 * random delay in `delayMs` (a new delay whenever the server starts answering after a pause; the
 * chunks of one response keep their order). Requests pass at once: the server works as usual, its
 * answers arrive late, as from an overloaded or far-away InfluxDB. `responses` counts delayed ones.
 */
export async function startSlowProxy(
  target: { host: string; port: number },
  delayMs: { min: number; max: number },
  random: () => number,
) {
  const sockets = new Set<Socket>();
  const state = { slow: true, delayed: 0 };
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let releaseAt = 0;
    let waiting = 0;
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!state.slow && waiting === 0) {
        client.write(chunk);
        return;
      }
      if (waiting === 0) {
        releaseAt = Date.now() + delayMs.min + random() * (delayMs.max - delayMs.min);
        state.delayed++;
      }
      waiting++;
      setTimeout(
        () => {
          waiting--;
          client.write(chunk);
        },
        Math.max(0, releaseAt - Date.now()),
      );
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    upstream.on('close', () => setTimeout(close, Math.max(0, releaseAt - Date.now())));
    client.on('close', close);
    upstream.on('error', close);
    client.on('error', close);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Responses held back so far. */
    get delayed() {
      return state.delayed;
    },
    set slow(on: boolean) {
      state.slow = on;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
