import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderContractDocs } from '../../scripts/contract-docs.ts';

describe('docs/mqtt-contract.md', () => {
  it('is what `npm run docs:contract` generates from the current schemas', async () => {
    const committed = await readFile(new URL('../../docs/mqtt-contract.md', import.meta.url), 'utf8');
    // If this fails, run `npm run docs:contract` and commit the result.
    expect(committed).toBe(renderContractDocs());
  });
});
