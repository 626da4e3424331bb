import { writeFile } from 'node:fs/promises';
import { renderContractDocs } from './contract-docs.ts';

const path = new URL('../docs/mqtt-contract.md', import.meta.url);
await writeFile(path, renderContractDocs());
console.log(`wrote ${path.pathname}`);
