import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunning } from '../helpers/processes.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** A process that starts a private influxd the way `npm start` does and prints its pid. */
const starter = `
import { startLocalInfluxd } from './cloud/storage/local-influxd.ts';
const influxd = await startLocalInfluxd(process.argv[1]);
console.log(JSON.stringify({ pid: influxd.pid }));
setInterval(() => {}, 60_000);
`;

describe('the private influxd', () => {
  it('ends with the process that started it, even one killed with SIGKILL', async () => {
    const dir = await tempDir('influxd-orphan');
    const child = spawn(process.execPath, ['--input-type=module', '-e', starter, dir.path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let influxd: number | undefined;
    cleanups.push(async () => {
      child.kill('SIGKILL');
      if (influxd && isRunning(influxd)) process.kill(influxd, 'SIGKILL');
      await dir.remove();
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      influxd = JSON.parse(line).pid;
    });
    const pid = await waitFor('the influxd pid', () => influxd);
    expect(isRunning(pid)).toBe(true);
    child.kill('SIGKILL');
    await waitFor('influxd to end after its parent was killed', () => !isRunning(pid));
  });
});
