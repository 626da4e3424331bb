import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../../cloud/storage/local-influxd.ts';

export interface WorkerProcess {
  child: ChildProcess;
  healthUrl: string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
}

/** Starts a storage worker (`node cloud/worker-main.ts`) as its own process and waits until /health/live answers. */
export async function startWorkerProcess(
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<WorkerProcess> {
  const port = env.WORKER_HTTP_PORT ?? String(await freePort());
  const child = spawn(process.execPath, ['cloud/worker-main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'warn', WORKER_HTTP_HOST: '127.0.0.1', ...env, WORKER_HTTP_PORT: port },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const healthUrl = `http://127.0.0.1:${port}/health`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`storage worker exited with ${child.exitCode}`);
    if ((await fetch(`${healthUrl}/live`).catch(() => undefined))?.ok) return { child, healthUrl, exited };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the storage worker did not answer /health/live within ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
