import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface ShippedBytes {
  /** gzip bytes of the JavaScript and CSS a first visit loads (index.html's own scripts and styles). */
  firstLoad: { js: number; css: number };
  /** gzip bytes more when the map page opens (its lazy chunks, MapLibre and its worker). */
  mapPage: { js: number; css: number };
  /** Every asset of the build, gzip bytes by file. */
  files: { file: string; gzipBytes: number }[];
}

/**
 * The JavaScript and CSS the console ships, as gzip bytes of `console/dist` (level 9, what a
 * compressing proxy would send): the first load from index.html, and what the map page adds, found
 * by which files the browser actually fetched for it (`mapRequests`, paths under /assets/).
 */
export async function shippedBytes(dist: string, mapRequests: string[]): Promise<ShippedBytes> {
  const assets = (await readdir(join(dist, 'assets'))).filter((f) => /\.(m?js|css)$/.test(f));
  const files = await Promise.all(
    assets.map(async (file) => ({
      file,
      gzipBytes: gzipSync(await readFile(join(dist, 'assets', file)), { level: 9 }).length,
    })),
  );
  const size = new Map(files.map((f) => [f.file, f.gzipBytes]));
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const first = new Set([...html.matchAll(/(?:src|href)="\/?assets\/([^"]+)"/g)].map((m) => m[1] as string));
  const sum = (names: Iterable<string>, ext: RegExp) =>
    [...names].filter((n) => ext.test(n)).reduce((total, n) => total + (size.get(n) ?? 0), 0);
  const map = new Set(
    mapRequests.map((p) => p.split('/assets/')[1] as string).filter((n) => n && !first.has(n)),
  );
  return {
    firstLoad: { js: sum(first, /\.m?js$/), css: sum(first, /\.css$/) },
    mapPage: { js: sum(map, /\.m?js$/), css: sum(map, /\.css$/) },
    files: files.sort((a, b) => b.gzipBytes - a.gzipBytes),
  };
}
