import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { loadCloudConfig } from '../../cloud/config.ts';
import { platformDbPath } from '../../cloud/platform-db.ts';
import { rpcAddressOf, startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { tenantDatabase } from '../../cloud/tenants/database-name.ts';
import { backup } from './backup.ts';
import { restore } from './restore.ts';

const usage = `usage:
  npm run backup -- <folder> [--influx-host host:port | --no-influx]
  npm run restore -- <folder> [--force] [--influx-host host:port [--influx-url url] | --no-influx]
DATA_DIR, INFLUX_URL and INFLUX_DATABASE are read from the environment, as the cloud reads them.
A restore into an InfluxDB that holds the database already merges the backup's points into it.`;

/** InfluxDB 1.x's RPC port (`bind-address`), where its backup and restore tools connect. */
const defaultRpcPort = 8088;

async function runningLocalInfluxd(dataDir: string): Promise<string> {
  const configPath = join(dataDir, 'influxdb', 'influxdb.conf');
  const address = rpcAddressOf(await readFile(configPath, 'utf8').catch(() => ''));
  if (!address)
    throw new Error(
      `no private influxd found in ${configPath}: start the platform first (backup is online), or pass --influx-host`,
    );
  return address;
}

/**
 * Every tenant's InfluxDB database, from the platform database (read only: the cloud may be running);
 * a data folder of a single city not yet upgraded has the one database.
 */
function tenantDatabases(dataDir: string, base: string): string[] {
  const path = platformDbPath(dataDir);
  if (!existsSync(path)) return [base];
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = db.prepare('SELECT id FROM tenants ORDER BY id').all();
    return rows.map((row) => tenantDatabase(base, String(row.id)));
  } finally {
    db.close();
  }
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      force: { type: 'boolean', default: false },
      'influx-host': { type: 'string' },
      'influx-url': { type: 'string' },
      'no-influx': { type: 'boolean', default: false },
    },
  });
  const folder = positionals[0];
  if ((command !== 'backup' && command !== 'restore') || !folder || positionals.length > 1) {
    console.error(usage);
    process.exit(2);
  }
  const config = loadCloudConfig();
  const dataDir = resolve(config.DATA_DIR);
  const progress = (message: string) => console.log(`${command}: ${message}`);
  const remoteHost = config.INFLUX_URL && `${new URL(config.INFLUX_URL).hostname}:${defaultRpcPort}`;
  const noInflux = values['no-influx'] ? 'no InfluxDB asked for (--no-influx)' : undefined;
  if (command === 'backup') {
    const host = noInflux
      ? undefined
      : (values['influx-host'] ?? remoteHost ?? (await runningLocalInfluxd(dataDir)));
    await backup({
      dataDir,
      target: resolve(folder),
      influx: host
        ? { host, databases: tenantDatabases(dataDir, config.INFLUX_DATABASE) }
        : { skipped: noInflux as string },
      progress,
    });
    return;
  }
  const explicit = values['influx-host'] ?? remoteHost;
  // Its HTTP address, for the restore's queries (shards imported? a merge): given, INFLUX_URL, or the RPC host's port 8086.
  const explicitUrl =
    values['influx-url'] ??
    config.INFLUX_URL ??
    (explicit && `http://${explicit.slice(0, explicit.lastIndexOf(':'))}:8086`);
  await restore({
    source: resolve(folder),
    dataDir,
    force: values.force,
    influxHost: noInflux
      ? undefined
      : explicit
        ? async () => ({ host: explicit, url: explicitUrl as string, done: async () => undefined })
        : async () => {
            // The one-box default: a private influxd under DATA_DIR, started for the restore only.
            const local = await startLocalInfluxd(join(dataDir, 'influxdb'));
            return { host: local.rpcAddress, url: local.url, done: () => local.stop() };
          },
    progress,
  });
}

main().catch((error: Error) => {
  console.error(`${process.argv[2] ?? 'backup'} failed: ${error.message}`);
  process.exit(1);
});
