import { type ChildProcess, spawn } from 'node:child_process';

export interface CloudProcess {
  child: ChildProcess;
  apiUrl: string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
}

/**
 * The cloud process's environment beyond its configuration, as the Dockerfile and the systemd unit
 * set it (test/deploy checks that they do). glibc's malloc, left to itself, raises its mmap threshold
 * to the size of every large block freed (up to 32 MB), so the API's answers of a few hundred kB and
 * the registry's flushes come from the main heap afterwards and their freed pages stay in the
 * process: its brk heap grew 37 → 162 MB under the region bench's load. A fixed threshold of 128 kB
 * gives such blocks back to the system when they are freed (brk heap ≤ 78 MB, RSS peak 1,092 against
 * 1,276 MB).
 */
export const cloudProcessEnv = { MALLOC_MMAP_THRESHOLD_: '131072' } as const;

/** Starts `node cloud/main.ts` as its own process (for kill -9 tests and the chaos run) and waits until its API answers. */
export async function startCloudProcess(
  env: Record<string, string>,
  /** How long it may take to answer (a loaded machine starts slowly). */
  timeoutMs = 30_000,
): Promise<CloudProcess> {
  const child = spawn(process.execPath, ['cloud/main.ts'], {
    env: { ...process.env, ...cloudProcessEnv, LOG_LEVEL: 'warn', ...env },
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
