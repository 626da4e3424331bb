import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { consoleApiTypesFile, renderConsoleApiTypes } from '../../scripts/console-api.ts';

describe('console/src/api/schema.d.ts', () => {
  it('is what `npm run console:api` generates from the current OpenAPI document', async () => {
    const committed = await readFile(consoleApiTypesFile, 'utf8');
    // If this fails, run `npm run console:api` and commit the result.
    expect(committed).toBe(await renderConsoleApiTypes());
  });
});
