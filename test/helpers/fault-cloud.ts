import { join } from 'node:path';
import { connectInflux, type InfluxConnection } from '../../cloud/storage/influx.ts';
import { type CloudProcess, startCloudProcess } from '../../scripts/cloud-process.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import type { FleetFile } from '../../shared/fleet.ts';
import { getJson, silentLog } from './cloud.ts';
import { cloudProcessEnv } from './cloud-process-env.ts';
import { startTestInfluxd } from './influxd.ts';
import { tempDir } from './temp-dir.ts';

type Cleanups = (() => Promise<unknown>)[];

/** The parts of a cloud process's /health that the fault tests read. */
export interface Health {
  status: string;
  reasons: string[];
  journal: { lines: number };
  counters: Record<string, number>;
}

/**
 * A cloud started as its own process (so a test can kill it, trace it, or fill its disk) on free
 * loopback ports, with its fleet, its gateways' secrets and an InfluxDB database of its own.
 */
export interface FaultCloud {
  /** The test's folder: the cloud's data in `cloud/`, its fleet in `fleet/`, the agents' outboxes in `edge/`. */
  dir: string;
  /** The default tenant's journal log (SQLite's WAL file), where the strace tests make writes fail. */
  journalLog: string;
  fleet: FleetFile;
  secrets: Map<string, string>;
  mqttUrl: string;
  /** The cloud process running now; `restart` replaces it. */
  process: CloudProcess;
  /** Starts the cloud again on the same ports and data (after it was killed or has exited). */
  restart(): Promise<CloudProcess>;
  health(): Promise<Health>;
  /** The status code of /health/ready. */
  ready(): Promise<number>;
  /** The readings the running process has accepted. */
  accepted(): Promise<number>;
  /** The cloud's InfluxDB database, to compare what was stored with what was produced. */
  influx(): Promise<InfluxConnection>;
}

export async function startFaultCloud(
  cleanups: Cleanups,
  options: {
    fleet: FleetFile;
    database: string;
    /** The folder (a test that mounts a disk under it first); default: a temp folder of its own. */
    dir?: string;
    /** InfluxDB's address; default: a test influxd of its own. */
    influxUrl?: string;
    /** The gateways given secrets (default: every gateway of the fleet). */
    gateways?: string[];
    extra?: Record<string, string>;
  },
): Promise<FaultCloud> {
  const [dir, influxUrl] = await Promise.all([
    ownFolder(cleanups, options.dir),
    ownInflux(cleanups, options.influxUrl),
  ]);
  const { env, secrets, mqttUrl } = await cloudProcessEnv({ ...options, dir, influxUrl });
  const fault: FaultCloud = {
    dir,
    journalLog: join(env.DATA_DIR, 'tenants', 'default', 'journal.db-wal'),
    fleet: options.fleet,
    secrets,
    mqttUrl,
    process: await startCloudProcess(env),
    restart: async () => {
      fault.process = await startCloudProcess(env);
      return fault.process;
    },
    health: async () => (await getJson<Health>(`${fault.process.apiUrl}/health`)).body,
    ready: async () => (await fetch(`${fault.process.apiUrl}/health/ready`)).status,
    accepted: async () => (await fault.health()).counters.readings_accepted ?? 0,
    influx: () => connectInflux({ url: influxUrl, token: '', database: options.database, org: '' }),
  };
  cleanups.push(async () => fault.process.child.kill('SIGKILL'));
  return fault;
}

async function ownFolder(cleanups: Cleanups, given: string | undefined): Promise<string> {
  if (given) return given;
  const dir = await tempDir('fault');
  cleanups.push(() => dir.remove());
  return dir.path;
}

async function ownInflux(cleanups: Cleanups, given: string | undefined): Promise<string> {
  if (given) return given;
  const influxd = await startTestInfluxd();
  cleanups.push(() => influxd.stop());
  return influxd.url;
}

/**
 * Edge agents for every gateway of the fault cloud's fleet (scripts/streaming-city.ts), streaming
 * recorded readings to it until `stop`.
 */
export async function streamCity(cleanups: Cleanups, fault: FaultCloud) {
  const city = await streamingCity({
    log: silentLog,
    fleet: fault.fleet,
    mqttUrl: fault.mqttUrl,
    dataDir: join(fault.dir, 'edge'),
    secrets: fault.secrets,
  });
  cleanups.push(() => city.stop());
  const stopStream = city.stream();
  return {
    city,
    /** The connections the agents have made so far (a refusal must cost none). */
    connects: () => [...city.agents.values()].reduce((n, a) => n + a.stats.connects, 0),
    /** Stops the stream and waits until every agent's outbox is empty. */
    async stop(): Promise<void> {
      await stopStream();
      await city.drained();
    },
  };
}
