import { chmod, copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { type InfluxTarget, restoreInfluxDatabase } from './influx-restore.ts';
import { checksums, compareChecksums, type Manifest, manifestName, manifestSchema } from './manifest.ts';

export interface RestoreOptions {
  /** A folder made by `backup`. */
  source: string;
  /** The DATA_DIR to restore into: missing or empty, unless `force`. */
  dataDir: string;
  force?: boolean;
  /**
   * Where InfluxDB's part goes: an InfluxDB 1.x (its RPC address for `influxd restore -portable`, its
   * HTTP address for queries: whether it imported the shards, a merge); a database it holds already is
   * merged (influx-restore.ts). `done` is called once InfluxDB has imported everything. Called once
   * DATA_DIR is restored, so that a private influxd under DATA_DIR can be started for it.
   */
  influxHost?: () => Promise<InfluxTarget & { done(): Promise<void> }>;
  progress?: (message: string) => void;
}

export class RestoreRefused extends Error {}

/** The InfluxDB databases of a backup and the folder of each (format 1: one, in `influxdb/` itself). */
function influxParts(manifest: Manifest, source: string): { database: string; folder: string }[] {
  if ('databases' in manifest.influx)
    return manifest.influx.databases.map((database) => ({
      database,
      folder: join(source, 'influxdb', database),
    }));
  if ('database' in manifest.influx)
    return [{ database: manifest.influx.database, folder: join(source, 'influxdb') }];
  return [];
}

/** Reads and checks a backup: its manifest, and every file against its checksum. */
export async function readBackup(source: string): Promise<Manifest> {
  let raw: string;
  try {
    raw = await readFile(join(source, manifestName), 'utf8');
  } catch {
    throw new RestoreRefused(`${source} has no ${manifestName}: not a backup, or an unfinished one`);
  }
  const manifest = manifestSchema.parse(JSON.parse(raw));
  const problems = compareChecksums(manifest.files, await checksums(source));
  if (problems.length > 0) throw new RestoreRefused(`backup ${source} is damaged: ${problems.join('; ')}`);
  return manifest;
}

/** Restores a backup into DATA_DIR and, when it holds one, InfluxDB's database. */
export async function restore(options: RestoreOptions): Promise<Manifest> {
  const say = options.progress ?? (() => undefined);
  const manifest = await readBackup(options.source);
  say(`backup of ${manifest.createdAt} (platform ${manifest.versions.platform}) checked`);
  await mkdir(options.dataDir, { recursive: true });
  const present = await readdir(options.dataDir);
  if (present.length > 0 && !options.force)
    throw new RestoreRefused(
      `DATA_DIR ${options.dataDir} is not empty (${present.slice(0, 5).join(', ')}): restore into an empty one, or pass --force to overwrite`,
    );
  for (const folder of ['sqlite', 'files'])
    for (const entry of await readdir(join(options.source, folder), {
      withFileTypes: true,
      recursive: true,
    })) {
      if (!entry.isFile()) continue;
      const name = relative(join(options.source, folder), join(entry.parentPath, entry.name));
      say(`${folder === 'sqlite' ? 'SQLite' : 'file'} ${name}`);
      const target = join(options.dataDir, name);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(join(options.source, folder, name), target);
      // Databases, credentials and tokens: readable by the platform's user only.
      await chmod(target, 0o600);
    }
  const influx = influxParts(manifest, options.source);
  if (influx.length > 0) {
    if (!options.influxHost)
      throw new RestoreRefused('the backup holds InfluxDB data but no InfluxDB was given');
    const { done, ...target } = await options.influxHost();
    try {
      for (const { database, folder } of influx) await restoreInfluxDatabase(target, database, folder, say);
    } finally {
      await done();
    }
  }
  say(`restore complete into ${options.dataDir}`);
  return manifest;
}
