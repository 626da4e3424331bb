import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { issueCredentials } from '../../cloud/broker/credentials.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { type InfluxRecorder, recordInflux } from '../helpers/influx-recorder.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { createTenant, type Town, writeTownFolders } from '../helpers/tenants.ts';

/** One cloud hosting towns, reached through a recording proxy in front of its influxd. */
export interface Region {
  cloud: TestCloud;
  influxd: LocalInfluxd;
  /** Every request the cloud made to InfluxDB, with the database it named. */
  influx: InfluxRecorder;
  /** Each provisioned gateway's secret, whatever its tenant. */
  secrets: Map<string, string>;
  /** Where the edge agents of a test keep their outboxes. */
  dir: string;
  stop(): Promise<void>;
}

export interface RegionOptions {
  /** More files in a town's provisioning folder: tenant → path in its folder → JSON. */
  files?: Record<string, Record<string, unknown>>;
  /** Gateways provisioned for a tenant other than (or besides) their fleet's: gateway → tenant. */
  credentials?: Record<string, string>;
  env?: Record<string, string>;
}

/**
 * Settings that keep a tenant's answers still while a suite probes it: no timer-driven rule ticks,
 * status snapshots or platform stats during the run, and limits no probe reaches (the sweeps send
 * hundreds of requests and many wrong passwords on purpose).
 */
const stillRegion = {
  DEFAULT_TENANT: 'false',
  RULES_TICK_S: '3600',
  STATUS_SNAPSHOT_S: '3600',
  PLATFORM_STATS_S: '3600',
  API_REQUESTS_PER_MINUTE: '100000',
  LOGIN_MAX_FAILURES: '100',
  LOGIN_ATTEMPTS_PER_MINUTE: '100000',
};

/** Starts influxd, the recording proxy and one cloud with `towns` as tenants, their gateways provisioned. */
export async function startRegion(towns: Town[], options: RegionOptions = {}): Promise<Region> {
  const influxd = await startTestInfluxd();
  const influx = await recordInflux(influxd.url);
  const dir = await tempDir('isolation');
  const tenantsDir = join(dir.path, 'tenants');
  await writeTownFolders(tenantsDir, towns);
  for (const [tenant, files] of Object.entries(options.files ?? {}))
    for (const [path, content] of Object.entries(files)) {
      const file = join(tenantsDir, tenant, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(content));
    }
  const cloud = await startTestCloud(influx.url, undefined, {
    ...stillRegion,
    TENANTS_DIR: tenantsDir,
    ...options.env,
  });
  const credentialsFile = join(cloud.dataDir, 'gateway-credentials.json');
  const secrets = new Map<string, string>();
  const extra = options.credentials ?? {};
  for (const town of towns) {
    await createTenant(cloud.apiUrl, town);
    const own = town.fleet.gateways.map((g) => g.id).filter((id) => extra[id] === undefined);
    for (const [id, secret] of await issueCredentials(credentialsFile, own, new Date(), town.id))
      secrets.set(id, secret);
  }
  for (const [gateway, tenant] of Object.entries(extra))
    for (const [id, secret] of await issueCredentials(credentialsFile, [gateway], new Date(), tenant))
      secrets.set(id, secret);
  return {
    cloud,
    influxd,
    influx,
    secrets,
    dir: dir.path,
    async stop() {
      await cloud.stop();
      await influx.stop();
      await influxd.stop();
      await dir.remove();
    },
  };
}
