import { mkdir, writeFile } from 'node:fs/promises';
import { consoleApiTypesFile, renderConsoleApiTypes } from './console-api.ts';

await mkdir(new URL('.', consoleApiTypesFile), { recursive: true });
await writeFile(consoleApiTypesFile, await renderConsoleApiTypes());
console.log(`wrote ${consoleApiTypesFile.pathname}`);
