import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Which top-level folder imports which: `edge/` and `console/` only `shared/`, `shared/` nothing, `simulators/`
 * only `shared/` (what combines the edge with simulators, the entry point of a simulated gateway
 * and the streaming city, lives in `scripts/`), and no two folders import each other.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const sourceFolders = ['bench', 'cloud', 'console', 'edge', 'scripts', 'shared', 'simulators'];

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !file.split(/[\\/]/).includes('node_modules'))
    .map((file) => join(folder, file));
}

/** Relative specifiers of static imports and re-exports, side-effect imports and dynamic imports. */
const importPattern =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"](\.{1,2}\/[^'"]+)['"]|(?:^|[\s;])import\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The top-level folder (or root file) each relative import of `file` lands in. */
function importedTops(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(importPattern)].map((match) => {
    const specifier = (match[1] ?? match[2] ?? match[3]) as string;
    const target = relative(root, join(root, dirname(file), specifier));
    return target.split(/[\\/]/)[0] as string;
  });
}

/** For each source folder: the folders it imports, each with one file that does it. */
const graph = new Map(
  sourceFolders.map((folder) => {
    const imports = new Map<string, string>();
    for (const file of sources(folder))
      for (const top of importedTops(file)) if (top !== folder && !imports.has(top)) imports.set(top, file);
    return [folder, imports] as const;
  }),
);
const importsOf = (folder: string) => [...(graph.get(folder)?.keys() ?? [])].sort();

describe('folder imports', () => {
  it('sees the imports there are (the parser is not blind)', () => {
    expect(importedTops('edge/agent.ts')).toContain('shared');
    expect([...new Set(importedTops('scripts/simulated-gateway.ts'))].sort()).toEqual(['edge', 'simulators']);
    expect(importsOf('scripts')).toEqual(expect.arrayContaining(['cloud', 'edge', 'shared', 'simulators']));
  });

  it('edge/ imports only shared/', () => {
    expect(importsOf('edge'), JSON.stringify([...(graph.get('edge') ?? [])])).toEqual(['shared']);
  });

  it('shared/ imports no other folder (only the package.json for its version)', () => {
    expect(importsOf('shared'), JSON.stringify([...(graph.get('shared') ?? [])])).toEqual(['package.json']);
  });

  it('console/ imports only shared/: the cloud is a server it talks to over the API', () => {
    expect(importedTops('console/src/kinds.ts')).toContain('shared');
    expect(importsOf('console'), JSON.stringify([...(graph.get('console') ?? [])])).toEqual(['shared']);
  });

  it('simulators/ imports only shared/: never edge/ or cloud/', () => {
    expect(importsOf('simulators'), JSON.stringify([...(graph.get('simulators') ?? [])])).toEqual(['shared']);
  });

  it('no two folders import each other', () => {
    const bothWays = sourceFolders.flatMap((a) =>
      sourceFolders
        .filter((b) => a < b && graph.get(a)?.has(b) && graph.get(b)?.has(a))
        .map((b) => `${a} <-> ${b} (${graph.get(a)?.get(b)}, ${graph.get(b)?.get(a)})`),
    );
    expect(bothWays).toEqual([]);
  });
});
