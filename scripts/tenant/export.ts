import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { detectServer, type InfluxConnection } from '../../cloud/storage/influx.ts';
import type { TenantPaths } from '../../cloud/tenants/paths.ts';
import type { Tenant } from '../../cloud/tenants/schema.ts';
import { gitCommit, platformVersion } from '../software-version.ts';
import { accountFields, writeAccounts } from './accounts.ts';
import { credentialsDescription, writeGatewayCredentials } from './credentials.ts';
import type { TenantInstallation } from './installation.ts';
import {
  type ExportManifest,
  ExportRefused,
  type PartSchema,
  readManifest,
  writeManifest,
} from './manifest.ts';
import { type PartFile, writePart } from './part-file.ts';
import { formatBytes, formatRows, Progress } from './progress.ts';
import { provisioningFiles } from './provisioning.ts';
import { measurementPaths } from './series-csv.ts';
import { measurementColumns, measurementsOf, writeMeasurement } from './series-parts.ts';
import { writeJournal } from './store-parts.ts';
import { exportedTables, unknownTables } from './tables.ts';
import type { TenantTables } from './tenant-tables.ts';

export interface ExportSource {
  tenant: string;
  /** The installation's stores: its platform's (record, accounts) and the tenant's tables. */
  installation: TenantInstallation;
  /** The tenant's folders: provisioning files, and its data (cloud.db, journal.db). */
  paths: TenantPaths;
  /** The tenant's InfluxDB database. */
  influx: InfluxConnection;
  /** The installation's gateway credentials (CREDENTIALS_FILE). */
  credentialsFile: string;
}

export interface ExportOptions {
  source: ExportSource;
  /** A missing or empty folder, or one an unfinished export of the same tenant left. */
  folder: string;
  say: (message: string) => void;
  now?: () => Date;
}

/** A part the export will write: its path, and what writes it (returning its schema). */
interface PlannedPart {
  path: string;
  write(part: PartFile, tick: (rows: number) => void): Promise<PartSchema>;
}

/** Opens a database of the installation read only (the cloud may be running and writing it). */
function openReadOnly(path: string, what: string): DatabaseSync {
  if (!existsSync(path)) throw new ExportRefused(`${what} ${path} does not exist`);
  const db = new DatabaseSync(path, { readOnly: true });
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

async function tenantRecord(installation: TenantInstallation, id: string): Promise<Tenant> {
  const record = await installation.platform.tenants.get(id);
  if (!record) throw new ExportRefused(`tenant ${id} does not exist in this installation`);
  return record;
}

/** Removes parts an interrupted run left unfinished (`*.partial`). */
async function removeUnfinished(folder: string): Promise<void> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  for (const entry of entries)
    if (entry.isFile() && entry.name.endsWith('.partial')) await rm(join(entry.parentPath, entry.name));
}

/** The export the folder holds already, checked to be one this run may go on with. */
async function existingExport(
  folder: string,
  id: string,
  storeSchemaVersion: number,
): Promise<ExportManifest | undefined> {
  const manifest = await readManifest(folder);
  // An empty folder (or none): a new export.
  if (!manifest) {
    const present = await readdir(folder);
    if (present.length > 0)
      throw new ExportRefused(
        `${folder} is not empty and holds no export (${present.slice(0, 5).join(', ')})`,
      );
    return undefined;
  }
  if (manifest.tenant !== id)
    throw new ExportRefused(`${folder} holds an export of tenant ${manifest.tenant}, not ${id}`);
  if (manifest.software.storeSchemaVersion !== storeSchemaVersion)
    throw new ExportRefused(
      `the tenant's database changed schema (${manifest.software.storeSchemaVersion} to ${storeSchemaVersion}) since the export in ${folder} began: export into a new folder`,
    );
  for (const part of manifest.parts) {
    const found = await stat(join(folder, part.path)).catch(() => undefined);
    if (found?.size !== part.bytes)
      throw new ExportRefused(
        `${part.path} in ${folder} changed since it was written: export into a new folder`,
      );
  }
  return manifest;
}

/**
 * The parts of an export, in the order written (the same on every run over the same data, so that a
 * resumed export goes on where it stopped): the record, accounts, credentials and provisioning
 * files, every table, the journal, then each measurement by name.
 */
async function plan(source: ExportSource, record: Tenant, store: TenantTables, journal?: DatabaseSync) {
  const { tenant: id, influx, installation } = source;
  const parts: PlannedPart[] = [
    {
      path: 'tenant.json',
      async write(part) {
        await part.write(`${JSON.stringify(record, null, 2)}\n`, 1);
        return {
          type: 'tenant',
          description: 'The tenant record: name, time zone, location, status, quotas',
        };
      },
    },
    {
      path: 'accounts.ndjson',
      async write(part) {
        await writeAccounts(installation.platform.users, id, part);
        return {
          type: 'accounts',
          description:
            "The tenant's accounts, one per line: never a password hash; imported accounts have no password until one is set",
          fields: accountFields,
        };
      },
    },
    {
      path: 'gateway-credentials.json',
      async write(part) {
        await writeGatewayCredentials(source.credentialsFile, id, part);
        return { type: 'credentials', description: credentialsDescription };
      },
    },
  ];
  for (const file of await provisioningFiles(source.paths))
    parts.push({
      path: file.path,
      async write(part) {
        await part.write(await readFile(file.source, 'utf8'), 1);
        return file.schema;
      },
    });
  for (const spec of exportedTables)
    parts.push({
      path: `store/${spec.table}.ndjson`,
      async write(part, tick) {
        const schema = await store.tableSchema(spec);
        await store.writeTable(spec, schema, part, tick);
        return schema;
      },
    });
  parts.push({
    path: 'influxdb/pending-points.lp',
    async write(part, tick) {
      await writeJournal(journal, part, tick);
      return {
        type: 'points',
        description:
          'Points acknowledged but not yet in InfluxDB when the export ran (its ingest journal): line protocol, ms precision',
      };
    },
  });
  const measurements = await measurementsOf(influx);
  const paths = measurementPaths(measurements);
  for (const measurement of measurements)
    parts.push({
      path: paths.get(measurement) as string,
      async write(part, tick) {
        const columns = await measurementColumns(influx, measurement);
        await writeMeasurement(influx, measurement, columns, part, tick);
        return {
          type: 'measurement',
          description: `InfluxDB measurement ${measurement}, oldest point first: time (RFC 3339, UTC), its tags, its fields; an empty cell is a tag or field the point does not have`,
          measurement,
          columns,
        };
      },
    });
  return parts;
}

/**
 * Exports everything a tenant has into a folder: its record, accounts, provisioning files, every
 * table of its database, its journal and every measurement of its InfluxDB database, each a part
 * written whole or not at all, with `manifest.json` listing those written (checksums, rows, schema).
 * Run again on the same folder, it goes on after the last part written. The tenant's databases are
 * read in one read transaction a run, so what one run writes is one moment of the tenant.
 */
export async function exportTenant(options: ExportOptions): Promise<ExportManifest> {
  const { folder, source, say } = options;
  const now = options.now ?? (() => new Date());
  await mkdir(folder, { recursive: true });
  const record = await tenantRecord(source.installation, source.tenant);
  const store = await source.installation.readTables(source.tenant, source.paths.dataDir);
  let journal: DatabaseSync | undefined;
  try {
    const journalPath = join(source.paths.dataDir, 'journal.db');
    journal = existsSync(journalPath) ? openReadOnly(journalPath, 'the journal') : undefined;
    const unknown = unknownTables(await store.tables());
    if (unknown.length > 0)
      throw new Error(
        `tenant ${source.tenant}'s ${store.where} has tables this export does not know: ${unknown.join(', ')} (scripts/tenant/tables.ts)`,
      );
    const storeSchemaVersion = await store.schemaVersion();
    const existing = await existingExport(folder, source.tenant, storeSchemaVersion);
    if (existing?.completedAt) {
      say(
        `the export of ${source.tenant} in ${folder} is complete (${existing.parts.length} parts); nothing to do`,
      );
      return existing;
    }
    await removeUnfinished(folder);
    const manifest: ExportManifest = existing ?? {
      format: 1,
      kind: 'tenant-export',
      tenant: source.tenant,
      createdAt: now().toISOString(),
      software: {
        platform: await platformVersion(),
        commit: gitCommit(),
        node: process.versions.node,
        storeSchemaVersion,
        influxdb: (await detectServer(source.influx.settings.url)).version,
      },
      parts: [],
    };
    if (!existing) await writeManifest(folder, manifest);
    // One snapshot of each database for the whole run (WAL: the cloud's writers are not held up).
    await store.snapshot();
    journal?.exec('BEGIN');
    const parts = await plan(source, record, store, journal);
    const done = new Set(manifest.parts.map((part) => part.path));
    if (existing)
      say(
        `resuming the export of ${source.tenant} begun ${existing.createdAt}: ${done.size} of ${parts.length} parts written, the last ${manifest.parts.at(-1)?.path ?? '(none)'}; going on`,
      );
    else say(`exporting tenant ${source.tenant} into ${folder}: ${parts.length} parts`);
    const progress = new Progress(say);
    for (const [index, planned] of parts.entries()) {
      if (done.has(planned.path)) continue;
      progress.start(index + 1, parts.length, planned.path);
      let schema: PartSchema | undefined;
      const written = await writePart(folder, planned.path, async (part) => {
        schema = await planned.write(part, (rows) => progress.rows(rows));
      });
      manifest.parts.push({ path: planned.path, ...written, schema: schema as PartSchema });
      await writeManifest(folder, manifest);
      progress.done(written.rows, written.bytes);
    }
    manifest.completedAt = now().toISOString();
    await writeManifest(folder, manifest);
    const rows = manifest.parts.reduce((n, part) => n + part.rows, 0);
    const bytes = manifest.parts.reduce((n, part) => n + part.bytes, 0);
    say(
      `export of ${source.tenant} complete: ${manifest.parts.length} parts, ${formatRows(rows)}, ${formatBytes(bytes)}, in ${folder}`,
    );
    return manifest;
  } finally {
    journal?.close();
    await store.close();
  }
}
