import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The vitest config StrykerJS runs under `npm run mutate`: only the unit tests of the module under
 * test, named by scripts/mutate.ts in MUTATE_TESTS (comma-separated globs), so that a mutant counts
 * as killed only when the module's own tests catch it.
 */
const tests = process.env.MUTATE_TESTS?.split(',').filter(Boolean);
if (!tests?.length) throw new Error('vitest.mutate.config.ts: MUTATE_TESTS names no test globs');

export default defineConfig({
  test: {
    include: tests,
    exclude: [...configDefaults.exclude, '.stryker-tmp/**'],
    // The schedule tests walk a year of instants; instrumented code runs slower.
    testTimeout: 60_000,
  },
});
