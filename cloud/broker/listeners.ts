import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';

export interface TlsFiles {
  cert: string;
  key: string;
  /** With a CA, gateways must present a client certificate it signed (mutual TLS). */
  ca?: string;
}

export type ListenerSpec =
  | { kind: 'tcp'; port: number; host: string }
  | { kind: 'tls'; port: number; host: string; files: TlsFiles }
  | { kind: 'ws'; port: number; host: string };

/**
 * A listener feeding connections into the broker: plain TCP, TLS (optionally mutual) or WebSocket.
 * `onTlsError` hears of each TLS handshake the TLS listener refuses.
 */
export function createListener(
  aedes: Aedes,
  spec: ListenerSpec,
  onTlsError: (error: Error, socket: TLSSocket) => void,
): Server {
  if (spec.kind === 'tcp') return createServer(aedes.handle);
  if (spec.kind === 'tls') {
    const { cert, key, ca } = spec.files;
    const server = createTlsServer(
      {
        cert: readFileSync(cert),
        key: readFileSync(key),
        ...(ca ? { ca: readFileSync(ca), requestCert: true, rejectUnauthorized: true } : {}),
        minVersion: 'TLSv1.2',
      },
      aedes.handle,
    );
    server.on('tlsClientError', onTlsError);
    return server;
  }
  const http = createHttpServer((_req, res) => {
    res.writeHead(426).end('MQTT over WebSocket only');
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket, request) => {
    aedes.handle(createWebSocketStream(socket), request);
  });
  return http;
}

/** Listens; resolves with the bound port (useful with port 0); names the variable when the port is taken. */
export function listen(server: Server, spec: ListenerSpec, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `${spec.kind} port ${spec.host}:${spec.port} is already in use; set ${variable} to a free port`,
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(spec.port, spec.host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : spec.port);
    });
  });
}
