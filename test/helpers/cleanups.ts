import { afterAll } from 'vitest';

/**
 * Registers an afterAll that runs the cleanups pushed onto the returned list, last first, each
 * even if an earlier one failed.
 */
export function cleanupsAfterAll(): (() => Promise<unknown>)[] {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  return cleanups;
}
