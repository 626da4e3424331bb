import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../cloud/storage/local-influxd.ts';
import { orphanProof } from './orphan-proof.ts';

export interface OwnNats {
  url: string;
  /** The running server's process id. */
  readonly pid: number | undefined;
  /** Stops the server gracefully (SIGTERM: JetStream flushes its store) and starts it again on the same port and store. */
  restart(): Promise<void>;
  stop(): Promise<void>;
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

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A NATS server of our own (Debian's nats-server, JetStream on, its store in a temp folder, a free
 * loopback port), for the cluster tests and the bench: never the machine's shared one, which others use.
 */
export async function startOwnNats(): Promise<OwnNats> {
  const dir = await mkdtemp(join(tmpdir(), 'city-nats-'));
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    const args = ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)];
    child = spawn(...orphanProof('/usr/sbin/nats-server', args), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const deadline = Date.now() + 20_000;
    while (!(await listening(port))) {
      if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await start();
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  return {
    url: `nats://127.0.0.1:${port}`,
    get pid() {
      return child.pid;
    },
    restart: async () => {
      await stopChild(child);
      await start();
    },
    stop: async () => {
      process.off('exit', onExit);
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
