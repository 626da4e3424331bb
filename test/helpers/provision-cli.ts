import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs `npm run provision -- <args>` as an operator would, in a process of its own, against a cloud's
 * data directory (its credentials file and database). Rejects with stderr when it exits non-zero.
 */
export function provisionCli(
  dataDir: string,
  args: string[],
  /** More of the cloud's variables (DATABASE_URL). */
  extra: Record<string, string> = {},
): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, ...extra };
  delete env.CREDENTIALS_FILE;
  delete env.GATEWAY_SECRET;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['scripts/provision.ts', ...args],
      { cwd: root, env },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`provision ${args.join(' ')} failed: ${stderr}`));
        else resolve(stdout);
      },
    );
  });
}
