import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';

/** What a backup holds, written last (`manifest.json`): a backup without it is incomplete. */
export const manifestSchema = z.object({
  /** 1: one InfluxDB database and a flat DATA_DIR (before tenants); 2: a database per tenant. */
  format: z.union([z.literal(1), z.literal(2)]),
  createdAt: z.iso.datetime(),
  versions: z.object({
    platform: z.string(),
    commit: z.string().optional(),
    node: z.string(),
    sqlite: z.string(),
    influxd: z.string().optional(),
  }),
  /** SQLite databases of DATA_DIR (paths inside it) and their schema versions (`PRAGMA user_version`). */
  databases: z.array(z.object({ name: z.string(), userVersion: z.number().int() })),
  /**
   * InfluxDB: the databases backed up with `influxd backup -portable` (each tenant's; format 1: the
   * one database, in `influxdb/` itself), or why they were not.
   */
  influx: z.union([
    z.object({ databases: z.array(z.string()) }),
    z.object({ database: z.string() }),
    z.object({ skipped: z.string() }),
  ]),
  /** Every file of the backup but the manifest, by its path inside the backup. */
  files: z.array(z.object({ path: z.string(), bytes: z.number().int(), sha256: z.string() })),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const manifestName = 'manifest.json';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Size and SHA-256 of every file under `dir` except the manifest. */
export async function checksums(dir: string): Promise<Manifest['files']> {
  const files: Manifest['files'] = [];
  for (const path of await listFiles(dir)) {
    const name = relative(dir, path);
    if (name === manifestName) continue;
    const bytes = await readFile(path);
    files.push({ path: name, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return files;
}

/** The differences between the files a manifest lists and the files found: empty when they agree. */
export function compareChecksums(expected: Manifest['files'], found: Manifest['files']): string[] {
  const byPath = new Map(found.map((f) => [f.path, f]));
  const problems: string[] = [];
  for (const file of expected) {
    const actual = byPath.get(file.path);
    if (!actual) problems.push(`${file.path} is missing`);
    else if (actual.sha256 !== file.sha256) problems.push(`${file.path} does not match its checksum`);
    byPath.delete(file.path);
  }
  for (const path of byPath.keys()) problems.push(`${path} is not in the manifest`);
  return problems;
}
