import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../cloud/storage/local-influxd.ts';
import { orphanProof } from './orphan-proof.ts';

export interface OwnHaproxy {
  /** The load balancer's port (MQTT over TCP). */
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * The configuration: TCP mode, the nodes' MQTT ports as servers checked every 500 ms (a node that
 * stops answering is taken out after one failed check), connections spread by least connections,
 * and a connection to a dead server tried again on another one (redispatch).
 */
export function haproxyConfig(port: number, servers: { name: string; port: number }[]): string {
  return `global
  maxconn 1000
defaults
  mode tcp
  timeout connect 1s
  timeout client 120s
  timeout server 120s
  retries 2
  option redispatch
frontend mqtt
  bind 127.0.0.1:${port}
  default_backend nodes
backend nodes
  balance leastconn
${servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check inter 500 fall 1 rise 2`).join('\n')}
`;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Debian's HAProxy in the foreground on a free loopback port, in front of the given MQTT ports. */
export async function startOwnHaproxy(servers: { name: string; port: number }[]): Promise<OwnHaproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'city-haproxy-'));
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  await writeFile(config, haproxyConfig(port, servers));
  const child: ChildProcess = spawn(...orphanProof('/usr/sbin/haproxy', ['-db', '-f', config]), {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`haproxy did not listen on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    pid: child.pid,
    stop: async () => {
      process.off('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
