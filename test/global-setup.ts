import { ensureConsoleBuilt } from './browser/build.ts';

/**
 * Runs once before the test files: builds the operator console if its sources changed, so that the
 * browser test files (which run in parallel) find it built and never start two Vite builds at once.
 */
export default async function setup(): Promise<void> {
  await ensureConsoleBuilt();
}
