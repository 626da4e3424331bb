import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completedPart,
  damagedParts,
  type ExportManifest,
  fileDigest,
  readManifest,
  writeManifest,
} from '../../../../scripts/tenant/manifest.ts';
import { writePart } from '../../../../scripts/tenant/part-file.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir('export-manifest');
});
afterAll(() => dir.remove());

const schema = { type: 'points', description: 'x' } as const;
const part = (path: string) => ({ path, rows: 0, bytes: 0, sha256: '0'.repeat(64), schema });

describe('the manifest of an export', () => {
  it('takes part paths inside the export only', () => {
    for (const path of ['tenant.json', 'store/alerts.ndjson', 'influxdb/a_b-2.csv'])
      expect(completedPart.safeParse(part(path)).success, path).toBe(true);
    for (const path of ['../x', '/etc/passwd', 'a/../../b', '.hidden', 'a//b', 'a/', '', 'a\\b'])
      expect(completedPart.safeParse(part(path)).success, path).toBe(false);
  });

  it('writes parts whole, counts and hashes them, and names each part that no longer matches', async () => {
    const folder = join(dir.path, 'export');
    const written = await writePart(folder, 'store/a.ndjson', async (file) => {
      await file.write('{"a":1}\n', 1);
      await file.write('{"a":2}\n', 1);
    });
    expect(written).toEqual({ rows: 2, ...(await fileDigest(join(folder, 'store/a.ndjson'))) });
    expect(written.bytes).toBe(16);
    await expect(
      writePart(folder, 'store/b.ndjson', async (file) => {
        await file.write('half', 1);
        throw new Error('the source went away');
      }),
    ).rejects.toThrow(/went away/);
    expect(existsSync(join(folder, 'store/b.ndjson.partial'))).toBe(false);
    const manifest: ExportManifest = {
      format: 1,
      kind: 'tenant-export',
      tenant: 'loket',
      createdAt: new Date(0).toISOString(),
      software: { platform: '0.1.0', node: '24', storeSchemaVersion: 1, influxdb: '1.6.7' },
      parts: [
        { path: 'store/a.ndjson', ...written, schema },
        { path: 'store/b.ndjson', ...written, schema },
      ],
    };
    await writeManifest(folder, manifest);
    expect(await readManifest(folder)).toEqual(manifest);
    expect(await damagedParts(folder, manifest)).toEqual(['store/b.ndjson is missing']);
    await writeFile(join(folder, 'store/a.ndjson'), '{"a":1}\n{"a":3}\n');
    expect(await damagedParts(folder, manifest)).toEqual([
      'store/a.ndjson does not match its checksum (16 bytes, 16 expected)',
      'store/b.ndjson is missing',
    ]);
    expect(await readManifest(join(dir.path, 'nothing'))).toBeUndefined();
    await writeFile(join(folder, 'manifest.json'), '{"format":2}');
    await expect(readManifest(folder)).rejects.toThrow(/is not an export manifest/);
  });
});
