import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { generateFleet } from '../simulators/fleet.ts';
import { consoleDist, ensureConsoleBuilt } from '../test/browser/build.ts';
import { apiBench, apiOnly, apiTargets, printApi } from './api.ts';
import { installCleanupHandlers, onCleanup, stopAll } from './cleanup.ts';
import { clusterBench, clusterOptions, printCluster } from './cluster.ts';
import { consoleBench, printConsole } from './console.ts';
import { edgeFleet, edgeOptions, edgePhase } from './edge.ts';
import { influxCeiling } from './influx-ceiling.ts';
import { ingestPhase, phaseSpanMs } from './ingest.ts';
import { ingestRuns, printIngestRuns } from './ingest-runs.ts';
import { latencyPhase } from './latency.ts';
import type { LoadSpec } from './load-worker.ts';
import { mosquittoCeiling } from './mosquitto-ceiling.ts';
import {
  noisyDefaults,
  noisyNeighbourBench,
  noisyPhaseSeconds,
  printNoisyNeighbour,
} from './noisy-neighbour.ts';
import { benchOptions, usage } from './options.ts';
import { peerBench, peerOptions, printPeer } from './peer.ts';
import { type Platform, startPlatform } from './platform.ts';
import { postgresSection } from './postgres-stores.ts';
import { probeFleet } from './prober.ts';
import { watchMachine } from './proc.ts';
import { profiling } from './profile.ts';
import type { BenchDevice } from './readings.ts';
import { buildReport, edgeFigures, edgeTarget } from './report.ts';
import { printRollups, rollupsBench, rollupsOptions } from './rollups.ts';
import { rulesSection } from './rules-section.ts';
import { printSummary, summaryRows } from './summary.ts';
import { printEdge, printReport } from './table.ts';
import { int, mb, say, sleep } from './util.ts';

/**
 * `npm run bench [-- --quick]`: the platform's figures and the machine's ceilings, measured side by
 * side in one run with one load generator. Phases, one after another so that each has the 2 cores
 * to itself: (1) raw InfluxDB writes, (2) Mosquitto, (3) the cloud started with the registered fleet,
 * (4) sustained end-to-end ingest, (5) publish-to-stored latency at half that rate, (6) an edge agent;
 * then the rules engine and the noisy neighbour (two tenants, one flooding). See docs/benchmarks.md.
 */
const parsed = (() => {
  try {
    return benchOptions();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
})();
if (!parsed) {
  console.log(usage);
  process.exit(0);
}
const options = parsed;
installCleanupHandlers();
const dir = await mkdtemp(join(tmpdir(), 'city-bench-'));
onCleanup('temp dir', () => rm(dir, { recursive: true, force: true }));
const probeGateway = 'gw-bench-probe';
/** The API section's token (ADMIN_TOKEN of the bench cloud), and no rate limit in its way. */
const apiToken = 'bench-admin-token-0123456789abcdef';
/** The API and console sections' token (ADMIN_TOKEN), no rate limit in their way, the console's build. */
const apiEnv = { ADMIN_TOKEN: apiToken, API_REQUESTS_PER_MINUTE: '100000000', CONSOLE_DIR: consoleDist };
const { nodeOptions, profileOf } = profiling(options.profile ? resolve(options.profile) : undefined);
/** The cloud's environment: the API's token, the extra variables and node flags. */
const platformEnv = async () => ({
  ...apiEnv,
  ...options.cloudEnv,
  ...(await nodeOptions('cloud', options.cloudNodeOptions)),
});
try {
  const quiet = watchMachine();
  await sleep(1_000);
  const busyBefore = quiet.stop();
  say(
    `${options.quick ? 'quick' : 'full'} run; data in ${dir}; ${busyBefore.toFixed(2)} cores busy before the start`,
  );
  if (busyBefore > 0.25) say('the machine is busy with something else: figures will be lower and noisier');
  const fleet = generateFleet({
    seed: 1,
    devices: options.registryDevices,
    devicesPerGateway: options.devicesPerGateway,
  });
  if (fleet.gateways.length < options.connections)
    throw new Error(
      `the fleet has ${fleet.gateways.length} gateways; --connections ${options.connections} needs more`,
    );
  const loadGateways = fleet.gateways.slice(0, options.connections).map((g) => ({
    id: g.id,
    devices: fleet.devices.filter((d) => d.gatewayId === g.id) as BenchDevice[],
  }));
  const loadDevices = loadGateways.flatMap((g) => g.devices);
  /** The API section: the console's questions against the cloud holding `fleet`. */
  const apiSection = (platform: Platform) =>
    apiBench({
      apiUrl: platform.apiUrl,
      token: apiToken,
      pid: platform.pid,
      targets: apiTargets(fleet),
      connections: options.apiConnections,
      durationS: options.apiDurationS,
      warmupS: options.apiWarmupS,
      say,
    });
  /** The console section: headless Chromium against the cloud holding `fleet`; faults sent as `gateways`. */
  const consoleSection = (platform: Platform, gateways: string[]) =>
    consoleBench({
      platform,
      fleet,
      token: apiToken,
      faultGateways: gateways,
      faults: options.quick ? 10 : 30,
      renders: 3,
      moves: options.quick ? 4 : 10,
      say,
    });
  /** Writes one section's figures as the run's results, stops everything and ends the run. */
  const finishWith = async (figures: object): Promise<never> => {
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(options.out, `${JSON.stringify(figures, null, 2)}\n`);
    say(`results written to ${options.out}`);
    await stopAll();
    process.exit(0);
  };
  if (options.only === 'console') {
    say('(console) building the console if its sources changed');
    await ensureConsoleBuilt();
    const faultGateways = fleet.gateways.slice(0, 20).map((g) => g.id);
    say(`(console) starting influxd and the cloud with ${int(fleet.devices.length)} registered devices`);
    const platform = await startPlatform(join(dir, 'platform'), [fleet], faultGateways, await platformEnv());
    say(`(console) cloud up in ${platform.startupS.toFixed(1)} s`);
    const consoleFigures = await consoleSection(platform, faultGateways);
    printConsole(consoleFigures);
    await platform.stop();
    await finishWith({ console: consoleFigures });
  }
  /** The noisy-neighbour section: two tenants on one cloud of their own, one flooding. */
  const noisySection = () =>
    noisyNeighbourBench({ dir: join(dir, 'noisy'), phaseS: noisyPhaseSeconds(), ...noisyDefaults });
  if (options.only === 'noisy-neighbour') {
    const noisyNeighbour = await noisySection();
    printNoisyNeighbour(noisyNeighbour);
    await finishWith({ noisyNeighbour });
  }
  if (options.only === 'postgres') await finishWith(await postgresSection(options, dir, say));
  /** Cluster mode (two nodes, two workers, HAProxy, NATS) next to the single node, same load. */
  const clusterSection = () => clusterBench(clusterOptions(options, join(dir, 'cluster')));
  if (options.only === 'cluster') {
    const cluster = await clusterSection();
    printCluster(cluster);
    await finishWith({ cluster });
  }
  /** The rollups section: a year of history, series and open-data answers with and without rollups. */
  const rollupsSection = () => rollupsBench(rollupsOptions(options, join(dir, 'rollups'), say));
  if (options.only === 'rollups') {
    const rollups = await rollupsSection();
    printRollups(rollups);
    await finishWith({ rollups });
  }
  /** A peer in the same run (issue 18): the platform, Node-RED and a naive bridge, three scenarios. */
  const peerSection = () => peerBench(peerOptions(options, join(dir, 'peer'))).then(printPeer);
  if (options.only === 'peer') await finishWith({ peer: await peerSection() });
  if (options.only === 'ingest') {
    const cloudEnv = { ...options.cloudEnv, ...(await nodeOptions('cloud', options.cloudNodeOptions)) };
    const ingest = await ingestRuns(options, { dir, fleet, gateways: loadGateways, cloudEnv });
    printIngestRuns(ingest);
    await finishWith({ ingest });
  }
  /** Phase 6: the edge agent into `platform` (which has its devices registered). */
  const edgeSection = async (platform: Platform) =>
    edgePhase(
      platform,
      edgeOptions(options, dir, apiToken, await nodeOptions('edge agent', options.edgeNodeOptions)),
    );
  if (options.only === 'edge') {
    say(`(edge) starting influxd and the cloud with the edge agent's ${int(options.edgeDevices)} devices`);
    const platform = await startPlatform(
      join(dir, 'platform'),
      [edgeFleet(options.edgeDevices)],
      [],
      await platformEnv(),
    );
    const edge = await edgeSection(platform);
    printEdge(edge);
    await platform.stop();
    await finishWith({ edge: edgeFigures(edge), targets: [edgeTarget(edge)] });
  }
  if (options.only === 'api') {
    const env = await platformEnv();
    // The background outlasts the targets (each `apiWarmupS` and `apiDurationS`) by a few seconds.
    const background = {
      ratePerS: options.apiBackgroundRatePerS,
      durationS: apiTargets(fleet).length * (options.apiWarmupS + options.apiDurationS) + 10,
    };
    await finishWith(
      await apiOnly({ dir: join(dir, 'platform'), fleet, env, say, measure: apiSection, background }),
    );
  }
  // Device-time bases, 12 h apart: each phase's readings are counted in their own range.
  const base = Date.now() - 3 * 24 * 3_600_000;
  const spec = (tsBase: number, ratePerS: number, durationS: number, secrets?: Map<string, string>) =>
    ({
      url: '',
      gateways: loadGateways.map((g) => ({ ...g, secret: secrets?.get(g.id) ?? 'anonymous' })),
      batchSize: options.batch,
      qos: options.qos as 0 | 1,
      window: options.window,
      ratePerS,
      durationS,
      tsBase,
      runId: `r${Date.now().toString(36)}`,
    }) satisfies LoadSpec;

  say(
    `(1/6) InfluxDB ceiling: ${options.influxWriters} writers, ${options.influxBatch} lines per POST, ${loadDevices.length} devices`,
  );
  const influx = await influxCeiling({
    dir,
    devices: loadDevices,
    batchLines: options.influxBatch,
    writers: options.influxWriters,
    durationS: options.ceilingDurationS,
    tsBase: base,
  });
  say(
    `InfluxDB ceiling: ${int(influx.pointsPerS)} points/s (${int(influx.stored)} of ${int(influx.points)} counted back)`,
  );

  say(
    `(2/6) Mosquitto ceiling: ${options.connections} connections, QoS ${options.qos}, batches of ${options.batch}, window ${options.window}`,
  );
  const mosquitto = await mosquittoCeiling(dir, spec(base, 0, options.ceilingDurationS));
  say(
    `Mosquitto ceiling: ${int(mosquitto.messagesPerS)} messages/s = ${int(mosquitto.readingsPerS)} readings/s delivered`,
  );

  // Every device the load, the prober and the edge agent send is registered: the cloud refuses others.
  const fleets = [fleet, probeFleet(probeGateway, options.batch), edgeFleet(options.edgeDevices)];
  const registered = fleets.reduce((n, f) => n + f.devices.length, 0);
  say(`(3/6) starting influxd and the cloud with ${int(registered)} registered devices`);
  const platform = await startPlatform(
    join(dir, 'platform'),
    fleets,
    [...loadGateways.map((g) => g.id), probeGateway],
    await platformEnv(),
  );
  await sleep(1_000);
  const idle = platform.proc();
  const ingestCloudPid = platform.pid;
  const registry = {
    devices: (await platform.health()).devices,
    startupS: platform.startupS,
    idleRssBytes: idle?.rssBytes ?? Number.NaN,
    idleRssAnonBytes: idle?.rssAnonBytes ?? Number.NaN,
    peakRssBytes: Number.NaN,
    saturatedPeakRssBytes: Number.NaN,
  };
  say(
    `cloud up in ${registry.startupS.toFixed(1)} s with ${int(registry.devices)} devices; RSS ${mb(registry.idleRssBytes)}`,
  );

  say(
    `(api) the console's API questions: ${options.apiConnections} HTTP clients, ${options.apiDurationS} s per target after ${options.apiWarmupS} s of warm-up`,
  );
  const api = await apiSection(platform);
  say('(console) the map, the live inbox and the bytes shipped, in headless Chromium');
  await ensureConsoleBuilt();
  const consoleFigures = await consoleSection(
    platform,
    loadGateways.map((g) => g.id),
  );

  const ingestBase = base + phaseSpanMs;
  say(
    `(4/6) end-to-end ingest: ${options.connections} gateways, ${options.rate ? `${int(options.rate)} readings/s` : 'closed loop'}, ${options.durationS} s`,
  );
  const ingestSpec = {
    ...spec(ingestBase, options.rate, options.durationS, platform.secrets),
    url: platform.mqttUrl,
  };
  const ingest = await ingestPhase(platform, ingestSpec, 'ingest');
  say(
    `ingest: ${int(ingest.readingsPerS)} readings/s stored end to end; ${int(ingest.stored)} stored of ${int(ingest.sent)} sent`,
  );

  const halfRate = ingest.readingsPerS / 2;
  const probeEveryMs = 100;
  const backgroundRate = Math.max(0, halfRate - (options.batch * 1000) / probeEveryMs);
  say(
    `(5/6) latency at half the sustained rate: ${int(halfRate)} readings/s for ${options.latencyDurationS} s`,
  );
  const latency = await latencyPhase(
    platform,
    {
      ...spec(ingestBase + phaseSpanMs, backgroundRate, options.latencyDurationS, platform.secrets),
      url: platform.mqttUrl,
    },
    { probeGateway, everyMs: probeEveryMs, pollMs: 20 },
  );
  say(
    `latency: publish to stored p50 ${latency.storedP50Ms.toFixed(0)} ms, p99 ${latency.storedP99Ms.toFixed(0)} ms`,
  );

  registry.saturatedPeakRssBytes = platform.proc()?.hwmBytes ?? Number.NaN;
  // The registry figure: a fresh cloud with the same registered fleet, under a realistic load (the
  // edge agent's devices reporting every second), not under the saturation load of the phases above.
  await platform.restartCloud(join(dir, 'platform', 'cloud-registry'));
  await sleep(500);
  const fresh = platform.proc();
  Object.assign(registry, {
    startupS: platform.startupS,
    idleRssBytes: fresh?.rssBytes ?? Number.NaN,
    idleRssAnonBytes: fresh?.rssAnonBytes ?? Number.NaN,
  });
  say(
    `(6/6) edge agent with ${options.edgeDevices} devices for ${options.edgeDurationS} s, into a fresh cloud (RSS ${mb(registry.idleRssBytes)} after start)`,
  );
  const edge = await edgeSection(platform);
  say(`edge agent: peak RSS ${mb(edge.peakRssBytes)}`);

  registry.peakRssBytes = platform.proc()?.hwmBytes ?? Number.NaN;
  await platform.stop();
  const rules = await rulesSection({
    quick: options.quick,
    backgroundRatePerS: ingest.readingsPerS / 2,
    say,
  });
  const noisyNeighbour = await noisySection();
  const cluster = await clusterSection();
  const rollups = await rollupsSection();
  const peer = await peerSection();
  const profiles = {
    cloud: await profileOf('cloud', ingestCloudPid),
    edgeAgent: await profileOf('edge agent'),
  };
  const report = buildReport({
    options,
    influx,
    mosquitto,
    ingest,
    latency,
    edge,
    registry,
    profiles,
    rules,
    busyBefore,
  });
  printReport(report);
  printApi(api);
  printConsole(consoleFigures);
  printNoisyNeighbour(noisyNeighbour);
  printCluster(cluster);
  printRollups(rollups);
  await mkdir(dirname(options.out), { recursive: true });
  const results = { ...report, api, console: consoleFigures, rules, noisyNeighbour, cluster, rollups, peer };
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  printSummary(summaryRows(results));
  say(`results written to ${options.out}`);
} catch (error) {
  console.error(`benchmark failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
process.exit(process.exitCode ?? 0);
