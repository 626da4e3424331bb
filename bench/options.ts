import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * Flags of `npm run bench`. `--quick` (under a minute) and the full mode differ only in durations
 * and connection counts; every figure can be set explicitly.
 */
/** The peer section's scenarios (bench/peer.ts), in the order they run. */
export const peerScenarios = ['steady', 'burst', 'outage'] as const;

const flags = {
  quick: { type: 'boolean', default: false },
  connections: { type: 'string' },
  'devices-per-gateway': { type: 'string', default: '50' },
  batch: { type: 'string', default: '100' },
  qos: { type: 'string', default: '1' },
  window: { type: 'string' },
  rate: { type: 'string', default: '0' },
  duration: { type: 'string' },
  'latency-duration': { type: 'string' },
  'ceiling-duration': { type: 'string' },
  'influx-batch': { type: 'string', default: '10000' },
  'influx-writers': { type: 'string', default: '3' },
  'registry-devices': { type: 'string', default: '100000' },
  'edge-devices': { type: 'string', default: '1000' },
  'edge-duration': { type: 'string' },
  'edge-drivers': { type: 'string', default: 'all' },
  out: { type: 'string', default: 'bench/results/latest.json' },
  profile: { type: 'string' },
  'cloud-node-options': { type: 'string', default: '' },
  'edge-node-options': { type: 'string', default: '' },
  'cloud-env': { type: 'string', multiple: true },
  only: { type: 'string' },
  'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
  'api-duration': { type: 'string' },
  'api-warmup': { type: 'string' },
  'api-connections': { type: 'string', default: '16' },
  'api-background': { type: 'string', default: '0' },
  'cluster-rate': { type: 'string' },
  'cluster-duration': { type: 'string' },
  'rollup-devices': { type: 'string' },
  'rollup-raw-every': { type: 'string', default: '15' },
  'rollup-raw-devices': { type: 'string', default: '100' },
  'rollup-runs': { type: 'string' },
  'rollup-shard': { type: 'string' },
  'peer-rate': { type: 'string' },
  'peer-duration': { type: 'string' },
  'peer-systems': { type: 'string', default: 'platform,peer,bridge' },
  'peer-scenarios': { type: 'string', default: 'steady,burst,outage' },
  'ingest-runs': { type: 'string', default: '3' },
  help: { type: 'boolean', default: false },
} as const;

const schema = z.object({
  quick: z.boolean(),
  connections: z.coerce.number().int().min(1).max(2_000),
  devicesPerGateway: z.coerce.number().int().min(1).max(1_000),
  batch: z.coerce.number().int().min(1).max(1_000),
  qos: z.coerce.number().pipe(z.union([z.literal(0), z.literal(1)])),
  window: z.coerce.number().int().min(1).max(1_000),
  /** Readings/s of the ingest phase; 0 = closed loop (as fast as the cloud acknowledges). */
  rate: z.coerce.number().min(0),
  durationS: z.coerce.number().positive(),
  latencyDurationS: z.coerce.number().positive(),
  ceilingDurationS: z.coerce.number().positive(),
  influxBatch: z.coerce.number().int().min(1),
  influxWriters: z.coerce.number().int().min(1).max(64),
  registryDevices: z.coerce.number().int().min(1),
  edgeDevices: z.coerce.number().int().min(1),
  edgeDurationS: z.coerce.number().positive(),
  /** The edge agent's devices read by every driver it has, each against a test peer (issue 18), or all simulated. */
  edgeDrivers: z.enum(['all', 'simulated']),
  out: z.string().min(1),
  /** A directory: the cloud and the edge agent run with `node --cpu-prof` and write their profiles there. */
  profile: z.string().min(1).optional(),
  /** Extra node flags of the cloud and of the edge agent process (for experiments: heap sizes). */
  cloudNodeOptions: z.string(),
  edgeNodeOptions: z.string(),
  /** Extra environment of the cloud (KEY=VALUE), e.g. RULES_DIR=/empty and KIND_RULES_DIR=/empty to measure without rules. */
  /**
   * `api` or `console`: only the platform start and that section; `noisy-neighbour`: only the two
   * tenants' section (each measured alone); `postgres`: only the stores on SQLite and on PostgreSQL;
   * `rollups`: only the year of history with and without rollups; `peer`: only our platform next to
   * the peer (Node-RED) and the naive bridge; `edge`: only the edge agent (phase 6) and its cloud.
   */
  only: z
    .enum(['api', 'console', 'noisy-neighbour', 'postgres', 'cluster', 'rollups', 'peer', 'ingest', 'edge'])
    .optional(),
  /** The PostgreSQL server of the `postgres` section (a database of its own is created and dropped). */
  postgresUrl: z.url({ protocol: /^postgres(ql)?$/ }),
  /** The rollups section: a year of history for this many devices (10,000 is the full size)... */
  rollupDevices: z.coerce.number().int().min(1).max(100_000),
  /** ...with a raw reading every this many minutes. */
  rollupRawEveryMin: z.coerce.number().int().min(1).max(60),
  /** ...for this many of the devices (the first ones; the rollups are of all of them)... */
  rollupRawDevices: z.coerce.number().int().min(1).max(100_000),
  /** ...and each answer asked this many times (median and p95). */
  rollupRuns: z.coerce.number().int().min(1).max(100),
  /** ...with the rollups' shard groups this long (an InfluxQL duration: 7d), not the platform's (52w when kept two years or more). */
  rollupShard: z
    .string()
    .regex(/^\d+[hdw]$/)
    .optional(),
  /** Seconds of load on each API target, and the HTTP clients sending it. */
  apiDurationS: z.coerce.number().positive(),
  /**
   * Seconds of the same load on each API target before its measured seconds, not counted in them:
   * the first answers of an endpoint run its code before V8 has compiled it (a `/map` answer ~30×
   * slower), and 16 clients' first answers queue behind each other for hundreds of ms. Their worst
   * latency is reported apart (`warmupMaxMs`); 0 measures from the first answer.
   */
  apiWarmupS: z.coerce.number().min(0),
  apiConnections: z.coerce.number().int().min(1).max(256),
  /**
   * `--only api`: readings/s sent meanwhile by the fleet's first 40 gateways (QoS 1, batches of 100),
   * so that the answers are measured while devices report and change; 0 (the default) for an idle fleet.
   */
  apiBackgroundRatePerS: z.coerce.number().min(0),
  /** Cluster mode next to the single node (bench/cluster.ts): the same fixed rate into both, for this long. */
  clusterRatePerS: z.coerce.number().positive(),
  clusterDurationS: z.coerce.number().positive(),
  /** The peer section (bench/peer.ts): steady readings/s and seconds of each scenario, and which systems. */
  peerRatePerS: z.coerce.number().positive(),
  peerDurationS: z.coerce.number().min(10),
  peerSystems: z.array(z.enum(['platform', 'peer', 'bridge'])).min(1),
  peerScenarios: z.array(z.enum(peerScenarios)).min(1),
  /** `--only ingest`: the ceiling and closed-loop ingest measured this many times (median of them). */
  ingestRuns: z.coerce.number().int().min(1).max(20),
  cloudEnv: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string()),
});
export type BenchOptions = z.infer<typeof schema>;

export const usage = `npm run bench -- [--quick] [--connections N] [--devices-per-gateway N] [--batch N]
  [--qos 0|1] [--window N] [--rate readings/s] [--duration s] [--latency-duration s]
  [--ceiling-duration s] [--influx-batch lines] [--influx-writers N] [--registry-devices N]
  [--edge-devices N] [--edge-duration s] [--edge-drivers all|simulated] [--out file.json] [--profile dir]
  [--cloud-node-options flags] [--edge-node-options flags] [--cloud-env KEY=VALUE ...]
  [--only api|console|noisy-neighbour|postgres|cluster|rollups] [--postgres-url url] [--api-duration s] [--api-warmup s] [--api-background readings/s]
  [--api-connections N] [--cluster-rate readings/s] [--cluster-duration s]
  [--rollup-devices N (10000: the full size)] [--rollup-raw-every minutes]
  [--rollup-raw-devices N (of the rollup devices, 100)] [--rollup-runs N (5, --quick 3)]
  [--rollup-shard 7d (the rollups' shard groups; the platform's: 52w for ten years)]
  [--only edge] [--only peer] [--peer-rate readings/s] [--peer-duration s (>= 10)] [--peer-systems platform,peer,bridge]
  [--peer-scenarios steady,burst,outage]
  [--only ingest] [--ingest-runs N (3: the ceiling and ingest N times, medians)]
  NOISY_NEIGHBOUR_PHASE_S=s (environment): seconds per phase of the noisy-neighbour section (10)`;

export function benchOptions(args = process.argv.slice(2)): BenchOptions | undefined {
  const { values } = parseArgs({ args, options: flags });
  if (values.help) return undefined;
  const quick = values.quick;
  const parsed = schema.safeParse({
    quick,
    connections: values.connections ?? (quick ? 20 : 40),
    devicesPerGateway: values['devices-per-gateway'],
    batch: values.batch,
    qos: values.qos,
    window: values.window ?? (quick ? 8 : 16),
    rate: values.rate,
    durationS: values.duration ?? (quick ? 6 : 60),
    latencyDurationS: values['latency-duration'] ?? (quick ? 5 : 30),
    ceilingDurationS: values['ceiling-duration'] ?? (quick ? 3 : 15),
    influxBatch: values['influx-batch'],
    influxWriters: values['influx-writers'],
    registryDevices: values['registry-devices'],
    edgeDevices: values['edge-devices'],
    edgeDurationS: values['edge-duration'] ?? (quick ? 5 : 30),
    edgeDrivers: values['edge-drivers'],
    out: values.out,
    profile: values.profile,
    cloudNodeOptions: values['cloud-node-options'],
    edgeNodeOptions: values['edge-node-options'],
    only: values.only,
    postgresUrl: values['postgres-url'],
    apiDurationS: values['api-duration'] ?? (quick ? 4 : 10),
    apiWarmupS: values['api-warmup'] ?? (quick ? 1 : 2),
    apiConnections: values['api-connections'],
    apiBackgroundRatePerS: values['api-background'],
    clusterRatePerS: values['cluster-rate'] ?? (quick ? 10_000 : 20_000),
    clusterDurationS: values['cluster-duration'] ?? (quick ? 8 : 30),
    rollupDevices: values['rollup-devices'] ?? (quick ? 20 : 200),
    rollupRawEveryMin: values['rollup-raw-every'],
    rollupRawDevices: values['rollup-raw-devices'],
    rollupRuns: values['rollup-runs'] ?? (quick ? 3 : 5),
    rollupShard: values['rollup-shard'],
    peerRatePerS: values['peer-rate'] ?? (quick ? 10_000 : 30_000),
    peerDurationS: values['peer-duration'] ?? (quick ? 15 : 40),
    peerSystems: values['peer-systems'].split(',').map((name: string) => name.trim()),
    peerScenarios: values['peer-scenarios'].split(',').map((name: string) => name.trim()),
    ingestRuns: values['ingest-runs'],
    cloudEnv: Object.fromEntries(
      (values['cloud-env'] ?? []).map((pair: string) => {
        const at = pair.indexOf('=');
        return at > 0 ? [pair.slice(0, at), pair.slice(at + 1)] : [pair, ''];
      }),
    ),
  });
  if (!parsed.success) throw new Error(`bad flags: ${z.prettifyError(parsed.error)}\n${usage}`);
  return parsed.data;
}
