import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { type CloudConfig, loadCloudConfig } from '../../cloud/config.ts';
import { detectServer, InfluxConnection } from '../../cloud/storage/influx.ts';
import { startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { tenantDatabase } from '../../cloud/tenants/database-name.ts';
import { tenantPaths } from '../../cloud/tenants/paths.ts';
import { tenantId } from '../../shared/ids.ts';
import { exportTenant } from './export.ts';
import { importTenant } from './import.ts';
import { installationToExport } from './installation.ts';

const usage = `usage:
  npm run tenant -- export <tenant-id> <folder>     everything the tenant has, into <folder>; run it
                                                    again on the same folder to go on after an interruption
  npm run tenant -- import <folder> [--as <tenant-id>]
                                                    into this installation, with the cloud stopped
DATA_DIR, TENANTS_DIR, FLEET_DIR, RULES_DIR, INFLUX_URL, INFLUX_DATABASE, DATABASE_URL (and the
cloud's other variables) are read from the environment, as the cloud reads them: with DATABASE_URL
the tenant's stores are its schema in that PostgreSQL database. See docs/tenancy.md.`;

/** The HTTP address in the config file of the private influxd (`[http] bind-address`). */
function httpAddressOf(config: string): string | undefined {
  return /^\[http\][^[]*?^\s*bind-address = "([^"]+)"/m.exec(config)?.[1];
}

/**
 * The installation's InfluxDB: INFLUX_URL; else the private influxd under DATA_DIR, the running one
 * (the cloud runs) or one started for this command (the cloud is stopped).
 */
async function installationInflux(config: CloudConfig, say: (message: string) => void) {
  const settings = { token: config.INFLUX_TOKEN, database: config.INFLUX_DATABASE, org: config.INFLUX_ORG };
  const connect = (url: string) => new InfluxConnection({ url, ...settings });
  if (config.INFLUX_URL) return { influx: connect(config.INFLUX_URL), done: async () => undefined };
  const dir = join(config.DATA_DIR, 'influxdb');
  const address = httpAddressOf(await readFile(join(dir, 'influxdb.conf'), 'utf8').catch(() => ''));
  const running =
    address &&
    (await detectServer(`http://${address}`).then(
      () => true,
      () => false,
    ));
  if (address && running) return { influx: connect(`http://${address}`), done: async () => undefined };
  say(`starting the private influxd in ${dir} for this command`);
  const local = await startLocalInfluxd(dir);
  return { influx: connect(local.url), done: () => local.stop() };
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { as: { type: 'string' } },
  });
  const valid =
    (command === 'export' && positionals.length === 2 && values.as === undefined) ||
    (command === 'import' && positionals.length === 1);
  if (!valid) {
    console.error(usage);
    process.exit(2);
  }
  const say = (message: string) => console.log(`${command}: ${message}`);
  const id = command === 'export' ? tenantId.safeParse(positionals[0]) : undefined;
  if (id && !id.success) {
    console.error(`${positionals[0]} is not a tenant id: ${id.error.issues[0]?.message}`);
    process.exit(2);
  }
  const config = loadCloudConfig();
  const log = pino({ level: 'warn' });
  const { influx, done } = await installationInflux(config, say);
  try {
    if (id?.success) {
      const installation = await installationToExport(config, log);
      try {
        await exportTenant({
          source: {
            tenant: id.data,
            installation,
            paths: tenantPaths(config, id.data),
            influx: influx.withDatabase(tenantDatabase(config.INFLUX_DATABASE, id.data)),
            credentialsFile: config.CREDENTIALS_FILE,
          },
          folder: resolve(positionals[1] as string),
          say,
        });
      } finally {
        await installation.close();
      }
      return;
    }
    const { tenant, accounts } = await importTenant({
      folder: resolve(positionals[0] as string),
      as: values.as,
      config,
      influx,
      log,
      say,
    });
    if (accounts.length > 0)
      say(
        `its accounts have no password (hashes are never exported): reset each, e.g. npm run provision -- user reset <username> --tenant ${tenant.id}: ${accounts.join(', ')}`,
      );
  } finally {
    await done();
  }
}

main().catch((error: Error) => {
  console.error(`${process.argv[2] ?? 'tenant'} failed: ${error.message}`);
  process.exit(1);
});
