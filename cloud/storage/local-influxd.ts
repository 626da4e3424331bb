import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Starts a private `influxd` (InfluxDB 1.x, the one Debian packages) on free loopback ports with its
 * data under `dir`. Used by `npm start` when no INFLUX_URL is configured, and by the tests.
 */
export interface LocalInfluxd {
  url: string;
  /** The RPC address (`host:port`) that `influxd backup` and `influxd restore -host` talk to. */
  rpcAddress: string;
  /** The influxd process's id. */
  pid: number;
  stop(): Promise<void>;
}

export class InfluxdMissingError extends Error {
  constructor() {
    super(
      'influxd was not found on PATH. Install InfluxDB (Debian: `sudo apt-get install influxdb`) ' +
        'or point INFLUX_URL at a running InfluxDB 1.8+, 2.x or 3.x.',
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(address)));
    });
  });
}

/** The RPC address in a config file written here: the running private influxd's, for `npm run backup`. */
export function rpcAddressOf(config: string): string | undefined {
  return /^bind-address = "([^"]+)"$/m.exec(config)?.[1];
}

function configFile(dir: string, httpPort: number, rpcPort: number, coldSnapshotS?: number): string {
  const cold =
    coldSnapshotS === undefined
      ? ''
      : `\n  cache-snapshot-write-cold-duration = "${coldSnapshotS}s"\n  compact-full-write-cold-duration = "${coldSnapshotS}s"`;
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false${cold}
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  max-body-size = 0
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "warn"
`;
}

/**
 * How influxd is started so that it cannot outlive this process, even one killed with SIGKILL: on
 * Linux, util-linux's `setpriv --pdeathsig` sets the parent-death signal and execs influxd (same pid),
 * so the kernel sends it SIGTERM when the thread that started it ends. Then influxd also gets its own
 * process group, so a Ctrl-C on the terminal reaches only the platform, which stops influxd last,
 * after the cloud. Without setpriv (not Linux), influxd is a plain child that the platform stops, and
 * that a SIGKILL of the platform leaves running.
 */
function influxdCommand(config: string): { command: string; args: string[]; detached: boolean } {
  const args = ['-config', config];
  hasSetpriv ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  return hasSetpriv
    ? { command: 'setpriv', args: ['--pdeathsig', 'TERM', '--', 'influxd', ...args], detached: true }
    : { command: 'influxd', args, detached: false };
}
let hasSetpriv: boolean | undefined;

async function waitForPing(url: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`influxd exited with code ${child.exitCode}: ${output()}`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.status === 204) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`influxd did not answer /ping at ${url} within ${timeoutMs} ms: ${output()}`);
}

/**
 * `httpPort` pins the HTTP port (to restart an influxd where its clients expect it); by default two
 * free ports are picked, and a lost race with another process shows up as an exit and is retried.
 */
export async function startLocalInfluxd(
  dir: string,
  /**
   * `coldSnapshotS`: write the cache to TSM files, and compact a shard fully, after this many seconds
   * without writes to it (benches; InfluxDB's defaults are 10 min and 4 h).
   */
  options: { timeoutMs?: number; httpPort?: number; coldSnapshotS?: number } = {},
): Promise<LocalInfluxd> {
  const probe = spawnSync('influxd', ['version']);
  if ((probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new InfluxdMissingError();
  if (probe.error) throw new Error(`influxd could not be run: ${probe.error.message}`);
  await mkdir(dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const [httpPort, rpcPort] = [options.httpPort ?? (await freePort()), await freePort()];
    const config = join(dir, 'influxdb.conf');
    await writeFile(config, configFile(dir, httpPort, rpcPort, options.coldSnapshotS));
    const { command, args, detached } = influxdCommand(config);
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], detached });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const url = `http://127.0.0.1:${httpPort}`;
    try {
      await waitForPing(url, child, () => stderr, options.timeoutMs ?? 20_000);
    } catch (error) {
      child.kill('SIGKILL');
      if (attempt < 3 && /address already in use/.test(stderr)) continue;
      throw error;
    }
    // However this process ends (process.exit, an uncaught error), the private influxd ends with it.
    const onExit = () => child.kill('SIGTERM');
    process.once('exit', onExit);
    return {
      url,
      rpcAddress: `127.0.0.1:${rpcPort}`,
      pid: child.pid as number,
      stop: async () => {
        process.off('exit', onExit);
        await stopChild(child);
      },
    };
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
