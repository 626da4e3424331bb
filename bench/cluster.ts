import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueCredentials } from '../cloud/broker/credentials.ts';
import { freePort } from '../cloud/storage/local-influxd.ts';
import { startCloudProcess } from '../scripts/cloud-process.ts';
import { startLocalCluster } from '../scripts/cluster/local-cluster.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { onCleanup } from './cleanup.ts';
import { countStored, startInfluxd } from './influx.ts';
import { startLoad } from './load.ts';
import type { LoadSpec } from './load-worker.ts';
import type { BenchOptions } from './options.ts';
import { watchMachine, watchProc } from './proc.ts';
import { gatewaysWithDevices } from './readings.ts';
import { int, quantile, round, say, sleep } from './util.ts';

/**
 * Cluster mode next to the single node (issue 16), on this machine, under the same load: `gateways`
 * connections sending `ratePerS` readings/s for `durationS`, once into one cloud process (embedded
 * journal), once through HAProxy into two cloud nodes with the JetStream journal and two storage
 * workers (NATS of its own). Each phase ends when InfluxDB holds every reading sent (zero loss is
 * checked by a COUNT); CPU is measured per process, so the cost of a reading is known per part:
 * the per-reading costs docs/scale-out.md sizes a region from.
 */
export interface ClusterBenchOptions {
  dir: string;
  gateways: number;
  devicesPerGateway: number;
  batch: number;
  window: number;
  ratePerS: number;
  durationS: number;
}

/** The section's options from the bench's flags. */
export function clusterOptions(options: BenchOptions, dir: string): ClusterBenchOptions {
  return {
    dir,
    gateways: options.connections,
    devicesPerGateway: options.devicesPerGateway,
    batch: options.batch,
    window: options.window,
    ratePerS: options.clusterRatePerS,
    durationS: options.clusterDurationS,
  };
}

interface Part {
  name: string;
  pid: number | undefined;
}

/**
 * The InfluxDB writes of the processes that make them (their /health counters: the single node's
 * storage thread, the cluster's workers): how many, how large, how long. Large writes are what keeps
 * influxd's cost per point low.
 */
async function influxWrites(healthUrls: string[]) {
  let points = 0;
  let writes = 0;
  let seconds = 0;
  for (const url of healthUrls) {
    const health = (await fetch(url, { signal: AbortSignal.timeout(15_000) })
      .then((res) => res.json())
      .catch(() => undefined)) as { counters?: Record<string, number> } | undefined;
    points += health?.counters?.influx_points_written ?? 0;
    writes += health?.counters?.influx_write_seconds_count ?? 0;
    seconds += health?.counters?.influx_write_seconds_sum ?? 0;
  }
  return {
    writes,
    pointsPerWrite: writes > 0 ? Math.round(points / writes) : null,
    msPerWrite: writes > 0 ? round((seconds * 1000) / writes, 1) : null,
  };
}

async function phase(
  label: string,
  url: string,
  spec: Omit<LoadSpec, 'url'>,
  parts: Part[],
  influx: Parameters<typeof countStored>[0],
  /** /health of the processes writing InfluxDB. */
  writers: string[],
) {
  const watched = parts.map((part) => ({ name: part.name, watch: watchProc(part.pid) }));
  const machine = watchMachine();
  const load = startLoad({ ...spec, url }, label);
  const result = await load.result;
  const sent = result.sentBatches * spec.batchSize;
  say(
    `${label}: load done (${int(result.ackedReadings)} of ${int(sent)} acknowledged); waiting for InfluxDB to hold them all`,
  );
  const count = () => countStored(influx, spec.tsBase, spec.tsBase + 12 * 3_600_000);
  // Every acknowledged reading must be stored. A batch still unacknowledged when the load generator
  // closed its connections may or may not have been stored (the load generator, unlike an edge
  // agent, does not send it again): stored is then between acknowledged and sent.
  let stored = await count();
  const deadline = Date.now() + 300_000;
  while (stored < result.ackedReadings && Date.now() < deadline) {
    await sleep(100);
    stored = await count();
  }
  const seconds = (Date.now() - result.firstPublishAt) / 1000;
  const usage = Object.fromEntries(watched.map(({ name, watch }) => [name, watch.stop()]));
  const writes = await influxWrites(writers);
  const cpuUsPerReading = Object.fromEntries(
    Object.entries(usage).map(([name, u]) => [name, round((u.cpuS * 1e6) / Math.max(1, stored), 2)]),
  );
  return {
    sent,
    acked: result.ackedReadings,
    stored,
    zeroLoss: stored >= result.ackedReadings && stored <= sent,
    errors: result.errors,
    storedPerS: stored / seconds,
    ackP50Ms: round(quantile(result.ackMs, 0.5), 1),
    ackP99Ms: round(quantile(result.ackMs, 0.99), 1),
    cores: Object.fromEntries(Object.entries(usage).map(([name, u]) => [name, round(u.cores, 2)])),
    cpuUsPerReading,
    influxWrites: writes,
    machineCores: round(machine.stop(), 2),
  };
}

export async function clusterBench(options: ClusterBenchOptions) {
  const { dir } = options;
  const fleet = generateFleet({
    seed: 16,
    devices: options.gateways * options.devicesPerGateway,
    devicesPerGateway: options.devicesPerGateway,
  });
  const fleetDir = join(dir, 'fleet');
  await mkdir(fleetDir, { recursive: true });
  await writeFile(join(fleetDir, 'fleet.json'), JSON.stringify(fleet));
  const credentials = join(dir, 'credentials', 'gateway-credentials.json');
  const secrets = await issueCredentials(
    credentials,
    fleet.gateways.map((g) => g.id),
  );
  const influxd = await startInfluxd(join(dir, 'influxdb'), 'bench');
  const env = {
    FLEET_DIR: fleetDir,
    CREDENTIALS_FILE: credentials,
    INFLUX_URL: influxd.url,
    LOG_LEVEL: 'warn',
  };
  const spec = (tsBase: number): Omit<LoadSpec, 'url'> => ({
    gateways: gatewaysWithDevices(fleet, fleet.gateways, (id) => secrets.get(id) ?? ''),
    batchSize: options.batch,
    qos: 1,
    window: options.window,
    ratePerS: options.ratePerS,
    durationS: options.durationS,
    tsBase,
    runId: `c${Date.now().toString(36)}`,
  });
  const base = Date.now() - 3 * 24 * 3_600_000;

  say(
    `(cluster) single node: ${options.gateways} gateways, ${int(options.ratePerS)} readings/s, ${options.durationS} s`,
  );
  const singlePort = await freePort();
  const single = await startCloudProcess({
    ...env,
    INFLUX_DATABASE: 'bench_single',
    DATA_DIR: join(dir, 'single'),
    MQTT_HOST: '127.0.0.1',
    HTTP_HOST: '127.0.0.1',
    MQTT_PORT: String(singlePort),
    HTTP_PORT: String(await freePort()),
  });
  const stopSingle = onCleanup('single node', () => single.child.kill('SIGKILL'));
  const singleMqtt = `mqtt://127.0.0.1:${singlePort}`;
  const singleNode = await phase(
    'single node',
    singleMqtt,
    spec(base),
    [
      { name: 'cloud', pid: single.child.pid },
      { name: 'influxd', pid: influxd.pid },
    ],
    influxd.influx.withDatabase('bench_single'),
    [`${single.apiUrl}/health`],
  );
  await stopSingle();

  say('(cluster) two nodes behind HAProxy, two storage workers, NATS JetStream: the same load');
  const cluster = await startLocalCluster({
    env: { ...env, INFLUX_DATABASE: 'bench_cluster', DATA_DIR: join(dir, 'node') },
    nodes: 2,
    workers: 2,
  });
  const stopCluster = onCleanup('cluster', () => cluster.stop());
  const clusterMode = await phase(
    'cluster',
    cluster.mqttUrl,
    spec(base + 12 * 3_600_000),
    [
      { name: 'node-1', pid: cluster.nodes[0]?.child.pid },
      { name: 'node-2', pid: cluster.nodes[1]?.child.pid },
      { name: 'worker-1', pid: cluster.workers[0]?.child.pid },
      { name: 'worker-2', pid: cluster.workers[1]?.child.pid },
      { name: 'nats', pid: cluster.nats.pid },
      { name: 'haproxy', pid: cluster.haproxyPid },
      { name: 'influxd', pid: influxd.pid },
    ],
    influxd.influx.withDatabase('bench_cluster'),
    cluster.workers.flatMap((worker) => (worker ? [worker.healthUrl] : [])),
  );
  await stopCluster();
  await influxd.stop();
  return { load: { ...options, dir: undefined }, singleNode, cluster: clusterMode };
}

export type ClusterBench = Awaited<ReturnType<typeof clusterBench>>;

const sum = (values: Record<string, number | null>, names: string[]) =>
  round(
    names.reduce((n, name) => n + (values[name] ?? Number.NaN), 0),
    2,
  );

const writesOf = (p: ClusterBench['cluster']) =>
  `${int(p.influxWrites.writes)}, ${p.influxWrites.pointsPerWrite ?? '—'}, ${p.influxWrites.msPerWrite ?? '—'}`;

export function printCluster(result: ClusterBench): void {
  const { singleNode: s, cluster: c } = result;
  const stored = (p: typeof s) =>
    `${int(p.stored)} of ${int(p.acked)} acked (${int(p.sent)} sent)${p.zeroLoss ? ', no loss' : ', LOSS'}`;
  const nodes = ['node-1', 'node-2'];
  const workers = ['worker-1', 'worker-2'];
  const rows: [string, string, string][] = [
    ['stored', stored(s), stored(c)],
    ['stored readings/s (first publish to all stored)', int(s.storedPerS), int(c.storedPerS)],
    ['PUBACK p50 / p99 ms', `${s.ackP50Ms} / ${s.ackP99Ms}`, `${c.ackP50Ms} / ${c.ackP99Ms}`],
    [
      'ingest CPU µs per reading (cloud | nodes)',
      `${s.cpuUsPerReading.cloud}`,
      `${sum(c.cpuUsPerReading, nodes)}`,
    ],
    ['storage CPU µs per reading (— | workers)', '(in the cloud)', `${sum(c.cpuUsPerReading, workers)}`],
    ['NATS / HAProxy CPU µs per reading', '—', `${c.cpuUsPerReading.nats} / ${c.cpuUsPerReading.haproxy}`],
    ['influxd CPU µs per reading', `${s.cpuUsPerReading.influxd}`, `${c.cpuUsPerReading.influxd}`],
    ['InfluxDB writes: count, points and ms per write', writesOf(s), writesOf(c)],
    ['machine busy cores', `${s.machineCores}`, `${c.machineCores}`],
  ];
  console.log('\nCluster mode next to the single node (same load):');
  for (const [what, single, cluster] of rows)
    console.log(`  ${what.padEnd(50)} ${single.padEnd(26)} ${cluster}`);
}
