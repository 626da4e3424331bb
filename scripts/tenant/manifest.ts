import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { tenant } from '../../cloud/tenants/schema.ts';
import { syncFolder } from './part-file.ts';

/** The manifest's name in an export folder; rewritten (atomically) after every part. */
export const manifestName = 'manifest.json';

/** A path inside the export folder: relative, `/`-separated, no `..`, nothing hidden. */
const partPath = z
  .string()
  .regex(
    /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/,
    'a relative path inside the export',
  )
  .refine((path) => !path.split('/').includes('..'), 'a relative path inside the export');

/** A column of a table part, as stored (`type` is its declared SQLite type; `json`: JSON text, exported as JSON). */
const tableColumn = z.object({ name: z.string(), type: z.string(), json: z.boolean() });

/** What a part holds and how to read it back: each kind of part says it in its own words. */
export const partSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tenant'), description: z.string() }),
  z.object({ type: z.literal('accounts'), description: z.string(), fields: z.array(z.string()) }),
  z.object({ type: z.literal('credentials'), description: z.string() }),
  z.object({
    type: z.literal('provisioning'),
    description: z.string(),
    /** Where it goes in the tenant's provisioning folder: a fleet file, a rules file, or its channels file. */
    target: z.enum(['fleet', 'rules', 'notifications']),
    file: z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*\.json$/, 'a file name ending in .json'),
  }),
  z.object({
    type: z.literal('table'),
    description: z.string(),
    table: z.string(),
    columns: z.array(tableColumn),
    /** Rows of another table that belong to each row, nested under `name` (the reference column left out). */
    children: z
      .array(
        z.object({
          name: z.string(),
          table: z.string(),
          reference: z.string(),
          parentKey: z.string(),
          columns: z.array(tableColumn),
        }),
      )
      .default([]),
  }),
  z.object({
    type: z.literal('measurement'),
    description: z.string(),
    measurement: z.string(),
    /** The CSV's columns after `time`, in order: each a tag or a field with InfluxDB's field type. */
    columns: z.array(
      z.discriminatedUnion('role', [
        z.object({ name: z.string(), role: z.literal('tag') }),
        z.object({
          name: z.string(),
          role: z.literal('field'),
          type: z.enum(['float', 'integer', 'string', 'boolean']),
        }),
      ]),
    ),
  }),
  z.object({ type: z.literal('points'), description: z.string() }),
]);
export type PartSchema = z.infer<typeof partSchema>;

export const completedPart = z.object({
  path: partPath,
  /** Rows (lines of NDJSON or line protocol, CSV records without the header); 1 for a JSON document. */
  rows: z.int().min(0),
  bytes: z.int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  schema: partSchema,
});
export type CompletedPart = z.infer<typeof completedPart>;

/** The manifest of a tenant's export: what it is of, what made it, and every part written so far. */
export const exportManifest = z.object({
  format: z.literal(1),
  kind: z.literal('tenant-export'),
  tenant: tenant.shape.id,
  /** When the export began (a resumed export keeps it). */
  createdAt: z.iso.datetime(),
  /** Set when every part is written. */
  completedAt: z.iso.datetime().optional(),
  software: z.object({
    platform: z.string(),
    commit: z.string().optional(),
    node: z.string(),
    /** `PRAGMA user_version` of the tenant's database: an import needs a release that knows it. */
    storeSchemaVersion: z.int().min(0),
    influxdb: z.string(),
  }),
  /** In the order written; a resumed export goes on after the last. */
  parts: z.array(completedPart),
});
export type ExportManifest = z.infer<typeof exportManifest>;

/** An export that cannot be made, or a folder that is not one: the message says why. */
export class ExportRefused extends Error {}

/** The manifest of an export folder, or undefined when there is none yet. */
export async function readManifest(folder: string): Promise<ExportManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(folder, manifestName), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = exportManifest.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new ExportRefused(
      `${join(folder, manifestName)} is not an export manifest: ${z.prettifyError(parsed.error)}`,
    );
  return parsed.data;
}

/** Writes the manifest to a temporary name, flushes it and renames it into place: never half written. */
export async function writeManifest(folder: string, manifest: ExportManifest): Promise<void> {
  const target = join(folder, manifestName);
  const temp = `${target}.partial`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(manifest, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, target);
  await syncFolder(folder);
}

/** Size and SHA-256 of a file, read as a stream. */
export async function fileDigest(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * Checks every part of a complete export against its size and checksum; returns what is wrong, part
 * by part (empty when the export is whole).
 */
export async function damagedParts(folder: string, manifest: ExportManifest): Promise<string[]> {
  const problems: string[] = [];
  for (const part of manifest.parts) {
    const found = await fileDigest(join(folder, part.path)).catch(() => undefined);
    if (!found) problems.push(`${part.path} is missing`);
    else if (found.bytes !== part.bytes || found.sha256 !== part.sha256)
      problems.push(
        `${part.path} does not match its checksum (${found.bytes} bytes, ${part.bytes} expected)`,
      );
  }
  return problems;
}
