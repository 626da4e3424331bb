import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { SlowestFirst } from './test/slowest-first.ts';

// StrykerJS's sandboxes (npm run mutate) hold a copy of the tests.
const excluded = [...configDefaults.exclude, '.stryker-tmp/**', 'reports/**'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits for an event (a page's script to have run, a list to show a row): as long
    // as a loaded CI machine may take, not vitest's default of one second.
    expect: { poll: { timeout: 15_000 } },
    // Integration tests start their own influxd and broker; two workers fit the 2-core machines (with
    // three, npm start's region came up too slowly beside the others: its test timed out).
    maxWorkers: 2,
    // The longest files start first, so that the two workers finish together (test/slowest-first.ts).
    sequence: { sequencer: SlowestFirst },
    // The processes the tests start (a cloud, an edge agent, npm start, the CLIs) load TypeScript with
    // Node: with its compile cache each module is stripped and compiled once per run, not once per
    // process (a cloud process then starts with about 40 % less CPU). Written under node_modules, so a
    // fresh clone starts without one and `npm ci` removes it.
    env: {
      NODE_COMPILE_CACHE: fileURLToPath(new URL('node_modules/.cache/node-compile-cache', import.meta.url)),
    },
    // The unit tests share their workers (no vi.mock, stubbed globals or fake timers; the code under
    // test keeps no module-level state): each file no longer imports its modules afresh, which halves
    // their CPU. The others keep a fresh worker per file, as their processes and ports are their own.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: excluded, isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...excluded, 'test/unit/**'],
          // The console is built once, before the browser tests' files start in parallel.
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
