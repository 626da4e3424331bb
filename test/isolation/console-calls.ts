import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const consoleSrc = join(import.meta.dirname, '../../console/src');
const apiModule = join(consoleSrc, 'api/api.ts');
const clientCall = /client\.(GET|POST|PUT|PATCH|DELETE)\(\s*'([^']+)'/g;

/** What the console's API module offers: each `api.<name>` with the operations it calls. */
export interface ConsoleApi {
  functions: Map<string, string[]>;
  /** The live stream's operation (EventSource on `eventsUrl`). */
  stream: string;
  /** How many `client.X('...')` calls the module has in all (each must belong to a function). */
  calls: number;
}

/** Reads console/src/api/api.ts: the `api` object's members and the openapi-fetch calls of each. */
export async function readConsoleApi(): Promise<ConsoleApi> {
  const text = await readFile(apiModule, 'utf8');
  const start = text.indexOf('export const api = {');
  const end = text.indexOf('\n};', start);
  if (start < 0 || end < 0) throw new Error(`${apiModule}: no "export const api = {...};"`);
  const body = text.slice(start, end);
  const functions = new Map<string, string[]>();
  // Each member starts at two spaces: `name: (...) =>`, `name(...) {` or `async name(...) {`.
  const members = body.split(/\n(?= {2}(?:async )?[A-Za-z]\w*\s*[:(])/).slice(1);
  for (const member of members) {
    const name = /^ {2}(?:async )?([A-Za-z]\w*)/.exec(member)?.[1] as string;
    functions.set(
      name,
      [...member.matchAll(clientCall)].map(([, method, path]) => `${method} ${path}`),
    );
  }
  // `eventsUrl` is the path, or a function of the town that returns it (with ?tenant=).
  const stream = /export const eventsUrl\b[^;]*?['`](\/api\/v1\/[a-z/-]+)/.exec(text)?.[1];
  if (!stream) throw new Error(`${apiModule}: no eventsUrl`);
  return { functions, stream: `GET ${stream}`, calls: [...text.matchAll(clientCall)].length };
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => file !== apiModule);
}

/**
 * The API operations each source file of the console calls (pages, components, the app shell, the
 * live stream), through `api.<name>(...)` or the EventSource on `eventsUrl`. Fails on an `api.<name>`
 * the API module does not have (the scan would miss what it calls).
 */
export async function consoleOperations(consoleApi: ConsoleApi): Promise<Map<string, Set<string>>> {
  const byFile = new Map<string, Set<string>>();
  for (const file of await sourceFiles(consoleSrc)) {
    const text = await readFile(file, 'utf8');
    const operations = new Set<string>();
    for (const [, name] of text.matchAll(/\bapi\s*\.\s*([A-Za-z]\w*)/g)) {
      if (name === 'ts') continue; // `../api/api.ts` in an import
      const called = consoleApi.functions.get(name as string);
      if (!called)
        throw new Error(`${relative(consoleSrc, file)} calls api.${name}, which api.ts does not have`);
      for (const operation of called) operations.add(operation);
    }
    if (/\beventsUrl\b/.test(text)) operations.add(consoleApi.stream);
    if (operations.size > 0) byFile.set(relative(consoleSrc, file), operations);
  }
  return byFile;
}
