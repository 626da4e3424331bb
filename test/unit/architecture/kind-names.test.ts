import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceKind } from '../../../shared/kinds/index.ts';

/**
 * A kind is declared once: outside its own folders (shared/kinds/<kind>/, simulators/kinds/<kind>/)
 * and the two lists that register it, no source file names it. Every per-kind table elsewhere is
 * derived from the list of kinds, so a kind added is never silently left out.
 */
const root = join(import.meta.dirname, '../../..');
const scanned = ['cloud', 'edge', 'shared', 'simulators', 'scripts', 'bench'];
const registrations = ['shared/kinds/index.ts', 'simulators/kinds/index.ts'];
const names = [...new Set([...deviceKind.options, 'streetlight', 'wasteBin', 'camera', 'evCharger'])];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'results' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function inKindFolder(file: string): boolean {
  const folder = /^(shared|simulators)\/kinds\/([^/]+)\//.exec(file)?.[2];
  return (deviceKind.options as readonly string[]).includes(folder ?? '');
}

/** Code without its comments (prose may speak of lamps and cameras; code may not name a kind). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/**
 * The kind names a piece of code uses, as an identifier or inside a string; a kind's name inside a
 * hyphenated one (the driver type `camera-analytics`) is another word.
 */
function kindNamesIn(text: string): string[] {
  const found = code(text).match(new RegExp(`(?<![\\w-])(${names.join('|')})(?![\\w-])`, 'g')) ?? [];
  return [...new Set(found)];
}

describe('kind names', () => {
  it('finds a kind named in code, and not one named in a comment', () => {
    expect(kindNamesIn("const lamps = of('streetlight');")).toEqual(['streetlight']);
    expect(kindNamesIn('if (kind === `evCharger`) return wasteBin;')).toEqual(['evCharger', 'wasteBin']);
    expect(kindNamesIn('// the camera reboots\n/* a wasteBin */ const x = 1;')).toEqual([]);
    expect(kindNamesIn("const type = 'camera-analytics'; const cameras = [];")).toEqual([]);
    expect(kindNamesIn("log('the camera went away')")).toEqual(['camera']);
  });

  it('are named only in the kind folders and the lists that register them', () => {
    const offenders = scanned
      .flatMap((dir) => sources(join(root, dir)))
      .map((path) => relative(root, path).split(sep).join('/'))
      .filter((file) => !inKindFolder(file) && !registrations.includes(file))
      .flatMap((file) =>
        kindNamesIn(readFileSync(join(root, file), 'utf8')).map((name) => `${file}: ${name}`),
      );
    expect(offenders).toEqual([]);
  });
});
