import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './wait.ts';

export interface CloudProcess {
  child: ChildProcess;
  apiUrl: string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
}

/** Starts `node cloud/main.ts` as its own process and waits until its API answers. */
export async function startCloudProcess(env: Record<string, string>): Promise<CloudProcess> {
  const child = spawn(process.execPath, ['cloud/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const apiUrl = `http://127.0.0.1:${env.HTTP_PORT}`;
  await waitFor('the cloud process to answer /health', async () => {
    if (child.exitCode !== null) throw new Error(`cloud exited with ${child.exitCode}`);
    return (await fetch(`${apiUrl}/health`).catch(() => undefined))?.ok;
  });
  return { child, apiUrl, exited };
}
