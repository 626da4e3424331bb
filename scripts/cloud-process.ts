import { type ChildProcess, spawn } from 'node:child_process';

export interface CloudProcess {
  child: ChildProcess;
  apiUrl: string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
}

/** Starts `node cloud/main.ts` as its own process (for kill -9 tests and the chaos run) and waits until its API answers. */
export async function startCloudProcess(
  env: Record<string, string>,
  /** How long it may take to answer (a loaded machine starts slowly). */
  timeoutMs = 30_000,
): Promise<CloudProcess> {
  const child = spawn(process.execPath, ['cloud/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const apiUrl = `http://127.0.0.1:${env.HTTP_PORT}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`cloud exited with ${child.exitCode}`);
    if ((await fetch(`${apiUrl}/health/live`).catch(() => undefined))?.ok) return { child, apiUrl, exited };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the cloud process did not answer /health within ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
