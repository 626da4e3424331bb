import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layers of cloud/, top to bottom. A folder may import the folders below it, never one above
 * it; so no two folders import each other. The root files (main.ts, cloud.ts, tenant-cell.ts,
 * config.ts...: the composition root) sit above every folder: no folder imports them. A new folder takes its place
 * in this list.
 */
const cloudLayers = [
  'api',
  'cluster',
  'tenants',
  'live',
  'broker',
  'ingest',
  'rules',
  'notifications',
  'alerts',
  'commands',
  'gateway-config',
  'open-data',
  'dashboards',
  'coverage',
  'rollups',
  'registry',
  'dead-letters',
  'access',
  'storage',
  'retention',
  'sqlite',
  'postgres',
  'geo',
  'monitoring',
  'errors',
  'lifecycle',
] as const;

const cloudDir = fileURLToPath(new URL('../../../cloud/', import.meta.url));

/** `import … from`, `export … from`, `import '…'` and `import('…')` with a relative specifier. */
const importPattern =
  /^\s*(?:import|export)\b[^;'"]*?(?:\bfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm;

function relativeImports(source: string): string[] {
  return [...source.matchAll(importPattern)].map((m) => (m[1] ?? m[2]) as string);
}

interface Edge {
  from: string;
  to: string;
  /** The importing file and the imported one, relative to cloud/. */
  file: string;
  target: string;
}

/** `(root)` for a file directly in cloud/, else its first folder. */
function folderOf(path: string): string {
  const parts = path.split(sep);
  return parts.length === 1 ? '(root)' : (parts[0] as string);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every import from one folder (or the root) of cloud/ into another. */
function crossFolderImports(): Edge[] {
  return tsFiles(cloudDir).flatMap((path) => {
    const file = relative(cloudDir, path);
    return relativeImports(readFileSync(path, 'utf8')).flatMap((specifier) => {
      const target = relative(cloudDir, resolve(dirname(path), specifier));
      if (target.startsWith('..')) return [];
      const edge = { from: folderOf(file), to: folderOf(target), file, target };
      return edge.from === edge.to ? [] : [edge];
    });
  });
}

/** What breaks the layering: an import upwards (or of a root file), or of a folder not in the list. */
function layeringViolations(edges: Edge[], layers: readonly string[]): string[] {
  const rank = (folder: string) => (folder === '(root)' ? -1 : layers.indexOf(folder));
  const problems: string[] = [];
  for (const edge of edges) {
    for (const folder of [edge.from, edge.to]) {
      if (rank(folder) === -1 && folder !== '(root)')
        problems.push(`${folder}/ is not in the list of layers (${edge.file})`);
    }
    if (rank(edge.to) <= rank(edge.from))
      problems.push(`${edge.file} imports ${edge.target}: ${edge.to} is not below ${edge.from}`);
  }
  const pairs = new Set(edges.map((e) => `${e.from} ${e.to}`));
  for (const edge of edges) {
    if (edge.from < edge.to && pairs.has(`${edge.to} ${edge.from}`))
      problems.push(`${edge.from} and ${edge.to} import each other`);
  }
  return [...new Set(problems)];
}

describe('cloud/ folders import one way', () => {
  const edges = crossFolderImports();

  it('finds the imports it checks', () => {
    expect(edges.length).toBeGreaterThan(50);
    expect(edges).toContainEqual(
      expect.objectContaining({ from: 'api', to: 'registry', file: join('api', 'devices.ts') }),
    );
  });

  it('no folder imports a folder above it or a root file, and no two folders import each other', () => {
    expect(layeringViolations(edges, cloudLayers)).toEqual([]);
  });

  it('lists every folder of cloud/ as a layer', () => {
    const folders = readdirSync(cloudDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect([...cloudLayers].sort()).toEqual(folders.sort());
  });

  it('the root files do not import one another in a cycle', () => {
    const rootEdges = tsFiles(cloudDir)
      .map((path) => relative(cloudDir, path))
      .filter((file) => !file.includes(sep))
      .flatMap((file) =>
        relativeImports(readFileSync(join(cloudDir, file), 'utf8'))
          .map((specifier) => relative(cloudDir, resolve(cloudDir, specifier)))
          .filter((target) => !target.includes(sep))
          .map((target) => [file, target] as const),
      );
    const order = [
      'main.ts',
      'worker-main.ts',
      'cloud.ts',
      'sqlite-stores.ts',
      'platform-db.ts',
      'platform-migrations.ts',
      'tenant-cell.ts',
      'retained-stores.ts',
      'schema-migrations.ts',
      'postgres-stores.ts',
      'store-features.ts',
      'stores.ts',
      'settings.ts',
      'config.ts',
    ];
    for (const [file, target] of rootEdges)
      expect(order.indexOf(target)).toBeGreaterThan(order.indexOf(file));
  });
});

describe('the layering check', () => {
  const edge = (from: string, to: string): Edge => ({
    from,
    to,
    file: `${from}/a.ts`,
    target: `${to}/b.ts`,
  });

  it('accepts imports downwards', () => {
    expect(layeringViolations([edge('api', 'storage'), edge('(root)', 'api')], ['api', 'storage'])).toEqual(
      [],
    );
  });

  it('reports an import upwards, of a root file, and two folders importing each other', () => {
    const problems = layeringViolations(
      [edge('storage', 'api'), edge('api', 'storage'), edge('storage', '(root)')],
      ['api', 'storage'],
    );
    expect(problems).toEqual([
      'storage/a.ts imports api/b.ts: api is not below storage',
      'storage/a.ts imports (root)/b.ts: (root) is not below storage',
      'api and storage import each other',
    ]);
  });

  it('reports a folder missing from the list', () => {
    expect(layeringViolations([edge('api', 'cache')], ['api'])).toEqual([
      'cache/ is not in the list of layers (api/a.ts)',
      'api/a.ts imports cache/b.ts: cache is not below api',
    ]);
  });

  it('reads every kind of relative import', () => {
    const source = [
      "import { a } from './a.ts';",
      'import type {\n  B,\n  C,\n} from "../b/c.ts";',
      "export { d } from './d.ts';",
      "import './side-effect.ts';",
      "const e = await import('../e.ts');",
      "import { z } from 'zod';",
    ].join('\n');
    expect(relativeImports(source)).toEqual(['./a.ts', '../b/c.ts', './d.ts', './side-effect.ts', '../e.ts']);
  });
});
