import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gitCommit, platformVersion } from '../software-version.ts';
import { influxdVersion, runInfluxd } from './influxd-tool.ts';
import { checksums, type Manifest, manifestName } from './manifest.ts';
import { snapshotSqlite, sqliteVersion } from './sqlite-snapshot.ts';

export interface BackupOptions {
  /** The cloud's DATA_DIR (it may be running). */
  dataDir: string;
  /** An empty or missing folder that receives the backup. */
  target: string;
  /** InfluxDB's RPC address and the databases (one per tenant) for `influxd backup -portable`, or why it is skipped. */
  influx: { host: string; databases: string[] } | { skipped: string };
  progress?: (message: string) => void;
}

/** Files of DATA_DIR that belong to a database file and are folded into its snapshot. */
const sqliteSideFiles = /-(wal|shm|journal)$/;

/**
 * The files the backup takes, as paths inside DATA_DIR: those at its top (the platform database,
 * gateway credentials) and each tenant's (tenants/<id>/: its database and journal). Not the private
 * influxd's folder (InfluxDB is backed up with its own tool) nor the demo's edge outboxes.
 */
async function dataFiles(dataDir: string): Promise<string[]> {
  const top = await readdir(dataDir, { withFileTypes: true });
  const tenants = await readdir(join(dataDir, 'tenants'), { withFileTypes: true }).catch(() => []);
  const inTenants = await Promise.all(
    tenants
      .filter((t) => t.isDirectory())
      .map(async (t) =>
        (await readdir(join(dataDir, 'tenants', t.name), { withFileTypes: true }))
          .filter((f) => f.isFile())
          .map((f) => join('tenants', t.name, f.name)),
      ),
  );
  return [...top.filter((f) => f.isFile()).map((f) => f.name), ...inTenants.flat()]
    .filter((name) => !sqliteSideFiles.test(name))
    .sort();
}

/**
 * An online, consistent backup: first each SQLite database of DATA_DIR (the stores and the ingest
 * journal, so readings acknowledged but not yet in InfluxDB are kept), then the other files of
 * DATA_DIR (gateway credentials, tokens), then InfluxDB. In that order, every reading acknowledged
 * before the backup is in the journal's snapshot or already in InfluxDB (a reading in both is
 * written again on restore, which points make harmless: same device and time). The manifest is
 * written last.
 */
export async function backup(options: BackupOptions): Promise<Manifest> {
  const say = options.progress ?? (() => undefined);
  const { dataDir, target } = options;
  await mkdir(target, { recursive: true });
  if ((await readdir(target)).length > 0) throw new Error(`backup folder ${target} is not empty`);
  await mkdir(join(target, 'sqlite'));
  await mkdir(join(target, 'files'));
  const databases: Manifest['databases'] = [];
  for (const name of await dataFiles(dataDir)) {
    const path = join(dataDir, name);
    const folder = name.endsWith('.db') ? 'sqlite' : 'files';
    await mkdir(dirname(join(target, folder, name)), { recursive: true });
    if (folder === 'sqlite') {
      say(`SQLite ${name}`);
      databases.push({ name, ...snapshotSqlite(path, join(target, 'sqlite', name)) });
    } else {
      say(`file ${name}`);
      await copyFile(path, join(target, 'files', name));
    }
  }
  if ('host' in options.influx) {
    for (const database of options.influx.databases) {
      say(`InfluxDB ${database} from ${options.influx.host}`);
      await runInfluxd([
        'backup',
        '-portable',
        '-db',
        database,
        '-host',
        options.influx.host,
        join(target, 'influxdb', database),
      ]);
    }
  } else say(`InfluxDB skipped: ${options.influx.skipped}`);
  const manifest: Manifest = {
    format: 2,
    createdAt: new Date().toISOString(),
    versions: {
      platform: await platformVersion(),
      commit: gitCommit(),
      node: process.versions.node,
      sqlite: sqliteVersion(),
      influxd: 'host' in options.influx ? await influxdVersion() : undefined,
    },
    databases,
    influx: 'host' in options.influx ? { databases: options.influx.databases } : options.influx,
    files: await checksums(target),
  };
  await writeFile(join(target, manifestName), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  say(`backup complete: ${manifest.files.length} files in ${target}`);
  return manifest;
}
