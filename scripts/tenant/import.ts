import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CredentialsFile } from '../../cloud/broker/credentials.ts';
import type { CloudConfig } from '../../cloud/config.ts';
import { cloudDbMigrations } from '../../cloud/schema-migrations.ts';
import type { InfluxConnection } from '../../cloud/storage/influx.ts';
import { applyRetentionPolicy } from '../../cloud/storage/retention-policy.ts';
import { tenantDatabase } from '../../cloud/tenants/database-name.ts';
import { eraseTenant } from '../../cloud/tenants/erase.ts';
import { upgradeSingleCityLayout } from '../../cloud/tenants/legacy-layout.ts';
import { type TenantPaths, tenantPaths } from '../../cloud/tenants/paths.ts';
import { type Tenant, tenant } from '../../cloud/tenants/schema.ts';
import { gatewayId, tenantId } from '../../shared/ids.ts';
import { createAccount, type ExportedAccount, exportedAccount } from './accounts.ts';
import { addGatewayCredentials, exportedCredentials, takenGateways } from './credentials.ts';
import { importMeasurement, importPendingPoints, PointSink } from './import-series.ts';
import { partLines } from './import-store.ts';
import { InstallationRefused, installationToImport, type TenantInstallation } from './installation.ts';
import { type CompletedPart, damagedParts, type ExportManifest, readManifest } from './manifest.ts';
import { Progress } from './progress.ts';
import { provisioningTarget } from './provisioning.ts';
import { measurementsOf } from './series-parts.ts';
import type { TenantTables } from './tenant-tables.ts';

export class ImportRefused extends Error {}

const gatewayRow = z.object({ id: gatewayId });

export interface ImportOptions {
  /** A complete export (`npm run tenant -- export`). */
  folder: string;
  /** The tenant id to import as; by default the exported tenant's. */
  as?: string;
  config: Pick<
    CloudConfig,
    | 'DATA_DIR'
    | 'TENANTS_DIR'
    | 'FLEET_DIR'
    | 'RULES_DIR'
    | 'NOTIFICATIONS_FILE'
    | 'INFLUX_DATABASE'
    | 'CREDENTIALS_FILE'
    | 'DATABASE_URL'
  >;
  /** The installation's InfluxDB. */
  influx: InfluxConnection;
  log: Logger;
  say: (message: string) => void;
}

/** The small parts, read before anything is written: what the checks need. */
interface Contents {
  record: Tenant;
  accounts: ExportedAccount[];
  credentials: CredentialsFile;
  gateways: string[];
}

/** A complete export, every part of it matching its checksum; refused otherwise, naming the parts. */
async function checkedExport(folder: string, say: (message: string) => void): Promise<ExportManifest> {
  const manifest = await readManifest(folder);
  if (!manifest) throw new ImportRefused(`${folder} has no manifest.json: it is not an export`);
  if (!manifest.completedAt)
    throw new ImportRefused(
      `the export in ${folder} is unfinished (${manifest.parts.length} parts written): run the export again to complete it`,
    );
  say(
    `checking the ${manifest.parts.length} parts of the export of ${manifest.tenant} made ${manifest.completedAt}`,
  );
  const damaged = await damagedParts(folder, manifest);
  if (damaged.length > 0)
    throw new ImportRefused(`the export in ${folder} is damaged: ${damaged.join('; ')}`);
  if (manifest.software.storeSchemaVersion > cloudDbMigrations.length)
    throw new ImportRefused(
      `the export was made by a newer release (its database schema ${manifest.software.storeSchemaVersion}, this release knows ${cloudDbMigrations.length}): import it with that release or a newer one`,
    );
  return manifest;
}

function partsOf<T extends CompletedPart['schema']['type']>(manifest: ExportManifest, type: T) {
  return manifest.parts.filter((part) => part.schema.type === type) as (CompletedPart & {
    schema: Extract<CompletedPart['schema'], { type: T }>;
  })[];
}

async function readJson(folder: string, path: string): Promise<unknown> {
  return JSON.parse(await readFile(join(folder, path), 'utf8'));
}

async function readContents(folder: string, manifest: ExportManifest): Promise<Contents> {
  const [recordPart] = partsOf(manifest, 'tenant');
  const [accountsPart] = partsOf(manifest, 'accounts');
  const [credentialsPart] = partsOf(manifest, 'credentials');
  const gatewaysPart = partsOf(manifest, 'table').find((part) => part.schema.table === 'gateways');
  if (!recordPart || !accountsPart || !credentialsPart || !gatewaysPart)
    throw new ImportRefused('the export lacks its tenant record, accounts, credentials or gateways');
  const accounts: ExportedAccount[] = [];
  for await (const [number, line] of partLines(folder, accountsPart.path)) {
    const parsed = exportedAccount.safeParse(JSON.parse(line));
    if (!parsed.success)
      throw new ImportRefused(`${accountsPart.path} line ${number}: ${z.prettifyError(parsed.error)}`);
    accounts.push(parsed.data);
  }
  const gateways: string[] = [];
  for await (const [number, line] of partLines(folder, gatewaysPart.path)) {
    const parsed = gatewayRow.safeParse(JSON.parse(line));
    if (!parsed.success)
      throw new ImportRefused(`${gatewaysPart.path} line ${number}: a gateway without an id`);
    gateways.push(parsed.data.id);
  }
  return {
    record: tenant.parse(await readJson(folder, recordPart.path)),
    accounts,
    credentials: exportedCredentials(await readJson(folder, credentialsPart.path)),
    gateways,
  };
}

async function isEmptyFolder(path: string): Promise<boolean> {
  return (await readdir(path).catch(() => [])).length === 0;
}

/** Why the tenant cannot be imported into this installation as `id`; empty when it can. */
async function conflicts(
  options: ImportOptions,
  manifest: ExportManifest,
  contents: Contents,
  installation: TenantInstallation,
  paths: TenantPaths,
  influx: InfluxConnection,
): Promise<string[]> {
  const id = contents.record.id;
  const stores = installation.platform;
  const found: string[] = [];
  if (await stores.tenants.get(id))
    found.push(`tenant ${id} exists here (import it under another id: --as <id>)`);
  if (!(await isEmptyFolder(paths.dataDir))) found.push(`its data folder ${paths.dataDir} is not empty`);
  const existing = await installation.existingStores(id);
  if (existing) found.push(existing);
  for (const part of partsOf(manifest, 'provisioning')) {
    const target = provisioningTarget(paths, part.schema);
    if (existsSync(target)) found.push(`its provisioning file ${target} exists`);
  }
  for (const account of contents.accounts)
    if (await stores.users.get(account.username)) found.push(`the username ${account.username} is taken`);
  const gateways = new Set([...contents.gateways, ...Object.keys(contents.credentials.gateways)]);
  for (const gateway of await takenGateways(options.config.CREDENTIALS_FILE, gateways))
    found.push(
      `gateway ${gateway} has a credential here already (gateway ids are unique in an installation)`,
    );
  const measurements = await measurementsOf(influx);
  if (measurements.length > 0)
    found.push(
      `InfluxDB database ${influx.settings.database} holds data (${measurements.slice(0, 3).join(', ')})`,
    );
  return found;
}

/**
 * Writes the parts in the order exported: provisioning files, the tenant's database, InfluxDB. The
 * files and folders it makes in the provisioning folders are added to `written`.
 */
async function writeParts(
  options: ImportOptions,
  manifest: ExportManifest,
  store: TenantTables,
  paths: TenantPaths,
  influx: InfluxConnection,
  written: string[],
): Promise<void> {
  const { folder, say } = options;
  const sink = new PointSink(influx);
  const progress = new Progress(say);
  const tick = (rows: number) => progress.rows(rows);
  try {
    for (const [index, part] of manifest.parts.entries()) {
      const { schema } = part;
      progress.start(index + 1, manifest.parts.length, part.path);
      let rows = part.rows;
      if (schema.type === 'provisioning') {
        const target = provisioningTarget(paths, schema);
        const made = await mkdir(dirname(target), { recursive: true });
        if (made) written.push(made);
        await writeFile(target, await readFile(join(folder, part.path)), { mode: 0o600, flag: 'wx' });
        written.push(target);
      } else if (schema.type === 'table') rows = await store.importTable(folder, part.path, schema, tick);
      else if (schema.type === 'points') rows = await importPendingPoints(sink, folder, part.path, tick);
      else if (schema.type === 'measurement')
        rows = await importMeasurement(sink, folder, part.path, schema, tick);
      progress.done(rows);
    }
  } finally {
    await store.close();
    await sink.close();
  }
}

/**
 * Imports an export into this installation as a new tenant, with the cloud stopped: checks every
 * part against its checksum first, refuses a tenant id, data folder, provisioning file, username or
 * gateway id that is taken and an InfluxDB database that holds data; then writes the provisioning
 * files, the tenant's database (the tables made by this release's stores), its InfluxDB points
 * (through the WriteApi), its gateways' credentials, its accounts (without passwords) and, last, its
 * record. A failure part-way erases what was written, as a deleted tenant is erased.
 */
export async function importTenant(options: ImportOptions): Promise<{ tenant: Tenant; accounts: string[] }> {
  const { folder, config, log, say } = options;
  const manifest = await checkedExport(folder, say);
  const contents = await readContents(folder, manifest);
  const asId = tenantId.safeParse(options.as ?? contents.record.id);
  if (!asId.success)
    throw new ImportRefused(`${options.as} is not a tenant id: ${asId.error.issues[0]?.message}`);
  const id = asId.data;
  const record: Tenant = { ...contents.record, id };
  contents.record = record;
  await mkdir(config.DATA_DIR, { recursive: true });
  upgradeSingleCityLayout(config.DATA_DIR, log);
  const installation = await installationToImport(config, log).catch((error: Error) => {
    throw error instanceof InstallationRefused ? new ImportRefused(error.message) : error;
  });
  try {
    const { tenants, users, tokens, sessions } = installation.platform;
    const paths = tenantPaths(config, id);
    const influx = options.influx.withDatabase(tenantDatabase(config.INFLUX_DATABASE, id));
    const found = await conflicts(options, manifest, contents, installation, paths, influx);
    if (found.length > 0)
      throw new ImportRefused(`cannot import ${manifest.tenant} as ${id}: ${found.join('; ')}`);
    say(`importing tenant ${manifest.tenant} as ${id}`);
    const written: string[] = [];
    try {
      await influx.setUp();
      await applyRetentionPolicy(influx, record.quotas.retentionDays, log);
      await writeParts(
        options,
        manifest,
        await installation.writeTables(id, paths.dataDir),
        paths,
        influx,
        written,
      );
      const gateways = await addGatewayCredentials(config.CREDENTIALS_FILE, id, contents.credentials);
      say(`${gateways} gateway credentials added`);
      for (const account of contents.accounts) await createAccount(users, id, account);
      say(`${contents.accounts.length} accounts created, each without a password`);
      await tenants.create(record);
    } catch (error) {
      say(`the import failed (${(error as Error).message}); removing what it wrote`);
      for (const path of written.reverse()) await rm(path, { recursive: true, force: true });
      await eraseTenant(id, {
        config,
        influx: options.influx,
        users,
        tokens,
        sessions,
        credentialsFile: config.CREDENTIALS_FILE,
        dropStores: (tenant) => installation.dropStores(tenant),
        log,
      });
      throw error;
    }
    say(`tenant ${id} imported; it starts with the cloud`);
    return { tenant: record, accounts: contents.accounts.map((a) => a.username) };
  } finally {
    await installation.close();
  }
}
