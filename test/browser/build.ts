import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = new URL('../../', import.meta.url).pathname;
export const consoleDist = join(root, 'console/dist');

async function newest(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  return Math.max(info.mtimeMs, ...(await Promise.all(entries.map((e) => newest(join(path, e))))));
}

/**
 * Builds the console (`npm run console:build`) unless console/dist is newer than its sources and
 * shared/, which it imports: the browser tests always run against the current source. Called once
 * before any test file (test/global-setup.ts), so that two files never build at the same time.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const built = await stat(join(consoleDist, 'index.html')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const sources = Math.max(
    ...(await Promise.all(
      ['console/src', 'console/index.html', 'console/vite.config.ts', 'shared'].map((p) =>
        newest(join(root, p)),
      ),
    )),
  );
  if (built > sources) return;
  await promisify(execFile)('npm', ['run', 'console:build'], { cwd: root }).catch(
    (error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`npm run console:build failed: ${error.message}\n${error.stdout}\n${error.stderr}`);
    },
  );
}
