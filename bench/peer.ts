import { join } from 'node:path';
import { connectInflux, type InfluxConnection } from '../cloud/storage/influx.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { countStored } from './influx.ts';
import { startLoad } from './load.ts';
import type { LoadSpec } from './load-worker.ts';
import { type BenchOptions, peerScenarios } from './options.ts';
import {
  restartableInfluxd,
  type SystemUnderTest,
  startBridgeSystem,
  startPeerSystem,
  startPlatformSystem,
} from './peer-systems.ts';
import { probeFleet, startProber } from './prober.ts';
import { watchMachine, watchProc } from './proc.ts';
import { gatewaysWithDevices } from './readings.ts';
import { int, quantile, round, say, sleep } from './util.ts';

/**
 * A peer in the same run (issue 18): our platform, the peer (Mosquitto → Node-RED → InfluxDB) and a
 * naive bridge (mqtt.js → WriteApi), one after another, each on a fresh InfluxDB of the same kind and settings, fed by the same load
 * generator (same gateways, batches, QoS 1), each through three scenarios:
 * - steady: `ratePerS` readings/s for `durationS`, open loop;
 * - burst: the same number of readings, closed loop (each connection keeps `window` batches awaiting
 *   PUBACK): as fast as the broker accepts them;
 * - outage: the steady load with influxd stopped for `outageS` in the middle of it.
 * A prober (bench/prober.ts) measures publish → stored in each. A scenario ends when InfluxDB holds
 * every accepted reading, or when its count has not moved for `settleS` and the system says it holds
 * nothing more (only the platform can: its journal); then accepted − stored readings are lost.
 */
/**
 * How long the wait for InfluxDB pauses between two counts. It sets how exactly the end of a scenario
 * (the last reading stored) is known: 250 ms was ±0.8 % of a 30 s steady run, as much as the 1 % the
 * steady target allows. Each count (one COUNT per kind) takes time of its own on top.
 */
const storedPollMs = 25;

export interface PeerBenchOptions {
  dir: string;
  gateways: number;
  devicesPerGateway: number;
  batch: number;
  window: number;
  ratePerS: number;
  durationS: number;
  outageS: number;
  settleS: number;
  systems: SystemUnderTest['name'][];
  /** Which scenarios, in their order (a rate ramp runs `steady` alone at several rates). */
  scenarios: Scenario[];
}

/** The section's options from the bench's flags; InfluxDB is down 10 s in the outage. */
export function peerOptions(options: BenchOptions, dir: string): PeerBenchOptions {
  return {
    dir,
    gateways: options.connections,
    devicesPerGateway: options.devicesPerGateway,
    batch: options.batch,
    window: options.window,
    ratePerS: options.peerRatePerS,
    durationS: options.peerDurationS,
    outageS: 10,
    settleS: 10,
    systems: options.peerSystems,
    scenarios: peerScenarios.filter((s) => options.peerScenarios.includes(s)),
  };
}

const probeGateway = 'gw-peer-probe';
const spanMs = 12 * 3_600_000;
type Scenario = (typeof peerScenarios)[number];

interface Context {
  options: PeerBenchOptions;
  /** The system's own influxd (fresh for each: no compactions or replays left by the one before). */
  influxd: Awaited<ReturnType<typeof restartableInfluxd>>;
  spec: (tsBase: number) => Omit<LoadSpec, 'url'>;
  secrets: Map<string, string>;
}

async function runScenario(ctx: Context, system: SystemUnderTest, scenario: Scenario, tsBase: number) {
  const { options } = ctx;
  const influx: InfluxConnection = await connectInflux({
    url: ctx.influxd.url,
    token: '',
    database: system.database,
    org: '',
  });
  const label = `${system.name} ${scenario}`;
  const totalBatches = Math.round((options.ratePerS * options.durationS) / options.batch);
  const base = ctx.spec(tsBase);
  const spec: LoadSpec =
    scenario === 'burst'
      ? { ...base, url: system.mqttUrl, ratePerS: 0, durationS: 600, totalBatches }
      : { ...base, url: system.mqttUrl };
  const prober = await startProber({
    mqttUrl: system.mqttUrl,
    gateway: probeGateway,
    secret: ctx.secrets.get(probeGateway),
    influx,
    batchSize: options.batch,
    everyMs: 100,
    pollMs: 20,
    runId: `${spec.runId}-${scenario}`,
  });
  const watched = system.parts.map((p) => ({ name: p.name, watch: watchProc(p.pid) }));
  // The database's CPU too: how a system batches its writes shows there. Not across an outage's restart.
  const database = scenario === 'outage' ? undefined : watchProc(ctx.influxd.pid());
  const machine = watchMachine();
  const errorsBefore = system.errors();
  const load = startLoad(spec, label);
  let outage: Promise<number> | undefined;
  const outageAt = Math.max(0, (options.durationS - options.outageS) / 2) * 1000;
  const outageTimer =
    scenario === 'outage'
      ? setTimeout(() => {
          say(`${label}: influxd stopped for ${options.outageS} s`);
          outage = ctx.influxd.outage(options.outageS * 1000).then((downS) => {
            say(`${label}: influxd back after ${downS.toFixed(1)} s`);
            return downS;
          });
        }, outageAt)
      : undefined;
  let result: Awaited<typeof load.result>;
  let influxdDownS: number | undefined;
  try {
    result = await load.result;
  } finally {
    prober.stopSending();
    clearTimeout(outageTimer);
    influxdDownS = await outage;
  }
  say(`${label}: load done (${int(result.ackedReadings)} readings accepted); waiting for InfluxDB`);
  const count = () => countStored(influx, tsBase, tsBase + spanMs).catch(() => Number.NaN);
  let stored = 0;
  let changedAt = Date.now();
  const deadline = Date.now() + 300_000;
  for (;;) {
    const now = await count();
    if (now > stored) {
      stored = now;
      changedAt = Date.now();
    }
    if (stored >= result.ackedReadings) break;
    const quiet = Date.now() - changedAt > options.settleS * 1000;
    if ((quiet && !(await system.pending())) || Date.now() > deadline) break;
    await sleep(storedPollMs);
  }
  const probes = await prober.finish();
  const usage = Object.fromEntries(watched.map(({ name, watch }) => [name, watch.stop()]));
  const influxdCpuS = database?.stop().cpuS;
  const cpuS = Object.values(usage).reduce((n, u) => n + u.cpuS, 0);
  const seconds = (changedAt - result.firstPublishAt) / 1000;
  return {
    sent: result.sentBatches * options.batch,
    accepted: result.ackedReadings,
    stored,
    lost: Math.max(0, result.ackedReadings - stored),
    storedPerS: round(stored / seconds, 0),
    acceptedPerS: round(result.ackedReadings / ((result.lastAckAt - result.firstPublishAt) / 1000), 0),
    seconds: round(seconds, 1),
    /** Null when nothing was stored. */
    cpuUsPerStored: round((cpuS * 1e6) / stored, 1),
    cpuUsPerStoredByPart: Object.fromEntries(
      Object.entries(usage).map(([name, u]) => [name, round((u.cpuS * 1e6) / stored, 1)]),
    ),
    /** influxd's CPU per stored reading (none in the outage: influxd is restarted in it). */
    influxdCpuUsPerStored: influxdCpuS === undefined ? undefined : round((influxdCpuS * 1e6) / stored, 1),
    influxdDownS: influxdDownS === undefined ? undefined : round(influxdDownS, 1),
    cores: Object.fromEntries(Object.entries(usage).map(([name, u]) => [name, round(u.cores, 2)])),
    peakRssMB: Object.fromEntries(
      Object.entries(usage).map(([name, u]) => [name, round(u.peakRssBytes / 1024 / 1024, 0)]),
    ),
    storedP50Ms: round(probes.storedP50Ms, 0),
    storedP99Ms: round(probes.storedP99Ms, 0),
    probes: probes.probes,
    probesMissing: probes.missing,
    ackP99Ms: round(quantile(result.ackMs, 0.99), 1),
    loadErrors: result.errors,
    systemErrors: system.errors() - errorsBefore,
    machineCores: round(machine.stop(), 2),
  };
}

export type ScenarioResult = Awaited<ReturnType<typeof runScenario>>;
type Results = Partial<Record<SystemUnderTest['name'], Partial<Record<Scenario, ScenarioResult>>>>;

export async function peerBench(options: PeerBenchOptions) {
  const { dir } = options;
  const fleet = generateFleet({
    seed: 18,
    devices: options.gateways * options.devicesPerGateway,
    devicesPerGateway: options.devicesPerGateway,
  });
  const results: Results = {};
  /** Scenarios a system could not run, and why. */
  const failures: { system: string; scenario: Scenario; error: string }[] = [];
  const settings: Record<string, object> = {};
  const ctx: Context = {
    options,
    influxd: undefined as unknown as Context['influxd'],
    secrets: new Map(),
    spec: (tsBase) => ({
      // Mosquitto (the peer's and the bridge's) lets anyone in: the password is ignored there.
      gateways: gatewaysWithDevices(fleet, fleet.gateways, (id) => ctx.secrets.get(id) ?? 'anonymous'),
      batchSize: options.batch,
      qos: 1,
      window: options.window,
      ratePerS: options.ratePerS,
      durationS: options.durationS,
      tsBase,
      runId: `p${Date.now().toString(36)}`,
    }),
  };
  const base = Date.now() - 3 * 24 * 3_600_000;
  for (const name of options.systems) {
    say(`(peer) starting influxd and ${name}`);
    const influxd = await restartableInfluxd(join(dir, name, 'influxdb'));
    ctx.influxd = influxd;
    const start = async (): Promise<SystemUnderTest> => {
      if (name === 'platform') {
        const started = await startPlatformSystem({
          dir: join(dir, name),
          fleets: [fleet, probeFleet(probeGateway, options.batch)],
          influxUrl: influxd.url,
        });
        ctx.secrets = started.secrets;
        return started.system;
      }
      ctx.secrets = new Map();
      if (name === 'peer') return startPeerSystem({ dir: join(dir, name), influxPort: influxd.httpPort });
      const influx = await connectInflux({ url: influxd.url, token: '', database: 'bench_bridge', org: '' });
      return startBridgeSystem({ dir: join(dir, name), influx });
    };
    let system = await start();
    settings[name] = system.settings;
    const byScenario: Partial<Record<Scenario, ScenarioResult>> = {};
    try {
      for (const [i, scenario] of options.scenarios.entries()) {
        say(`(peer) ${name}: ${scenario}`);
        try {
          byScenario[scenario] = await runScenario(ctx, system, scenario, base + i * spanMs);
          say(`(peer) ${name} ${scenario}: ${summary(byScenario[scenario])}`);
        } catch (error) {
          // A system a scenario broke (the peer after a burst that lost everything) cannot run the
          // next: that scenario is reported as not run, and the system is started afresh.
          failures.push({ system: name, scenario, error: (error as Error).message });
          say(
            `(peer) ${name} ${scenario} could not run: ${(error as Error).message}; starting ${name} again`,
          );
          await system.stop();
          system = await start();
        }
      }
    } finally {
      await system.stop();
      await influxd.stop();
    }
    results[name] = byScenario;
  }
  return {
    load: { ...options, dir: undefined, readingsPerScenario: options.ratePerS * options.durationS },
    settings,
    results,
    failures,
    targets: targets(results),
  };
}

export type PeerBench = Awaited<ReturnType<typeof peerBench>>;

const summary = (r: ScenarioResult | undefined) =>
  r
    ? `${int(r.stored)} stored of ${int(r.accepted)} accepted, ${int(r.lost)} lost, ${int(r.storedPerS ?? 0)}/s, ${r.cpuUsPerStored} µs CPU per reading (influxd ${r.influxdCpuUsPerStored ?? '-'}), p99 ${r.storedP99Ms} ms`
    : '-';

/**
 * A paced run's stored/s is the load's rate for every system that keeps up; they then differ only by
 * how long the last readings take to land (tenths of a second in tens): a 1 % difference is a tie.
 */
const steadyResolution = 0.99;

/** The targets against the peer, judged on the figures (printed, never asserted in tests). */
export function targets(results: Results) {
  const ours = results.platform;
  const peer = results.peer;
  if (!ours || !peer) return [];
  const noLoss = (scenario: Scenario) => ({
    target: `${scenario}: zero loss (the peer lost ${int(peer[scenario]?.lost ?? Number.NaN)})`,
    measured: `platform lost ${int(ours[scenario]?.lost ?? Number.NaN)}`,
    pass: ours[scenario]?.lost === 0 && ours[scenario]?.loadErrors.length === 0,
  });
  const steady = {
    target: `steady: at least as many readings stored per second as the peer (to ${Math.round((1 - steadyResolution) * 100)} %)`,
    measured: `${int(ours.steady?.storedPerS ?? Number.NaN)} vs ${int(peer.steady?.storedPerS ?? Number.NaN)}`,
    pass:
      (ours.steady?.storedPerS ?? 0) >=
      steadyResolution * (peer.steady?.storedPerS ?? Number.POSITIVE_INFINITY),
  };
  // Only the scenarios both ran.
  return [
    ...(ours.steady && peer.steady ? [steady] : []),
    ...(['burst', 'outage'] as const).filter((s) => ours[s] && peer[s]).map(noLoss),
  ];
}

/** Prints the section's tables; returns `bench` (to chain). */
export function printPeer(bench: PeerBench): PeerBench {
  const names = Object.keys(bench.results) as SystemUnderTest['name'][];
  console.log(
    `\nA peer in the same run (issue 18): ${int(bench.load.readingsPerScenario)} readings per scenario, batches of ${bench.load.batch}, QoS 1, ${bench.load.gateways} gateways; steady ${int(bench.load.ratePerS)} readings/s, outage ${bench.load.outageS} s`,
  );
  console.log(
    '\n| scenario | system | accepted | stored | lost | stored/s | CPU µs per stored reading | CPU µs of influxd per stored reading | publish → stored p99 (probes missing) |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- |');
  for (const scenario of peerScenarios)
    for (const name of names) {
      const r = bench.results[name]?.[scenario];
      if (!r) continue;
      const parts = Object.entries(r.cpuUsPerStoredByPart)
        .map(([part, us]) => `${part} ${us ?? '-'}`)
        .join(' + ');
      console.log(
        `| ${scenario} | ${name} | ${int(r.accepted)} | ${int(r.stored)} | ${int(r.lost)} | ${int(r.storedPerS ?? 0)} | ${r.cpuUsPerStored ?? '-'} (${parts}) | ${r.influxdCpuUsPerStored ?? '-'} | ${r.storedP99Ms ?? '-'} ms (${r.probesMissing} of ${r.probes}) |`,
      );
    }
  const down = names
    .map((name) => `${name} ${bench.results[name]?.outage?.influxdDownS ?? '-'} s`)
    .join(', ');
  console.log(`\nInfluxDB down in the outage (stop → answering again): ${down}`);
  for (const f of bench.failures) console.log(`Not run: ${f.system} ${f.scenario} (${f.error})`);
  console.log('\n| target | measured | pass |\n| --- | --- | --- |');
  for (const t of bench.targets) console.log(`| ${t.target} | ${t.measured} | ${t.pass ? 'PASS' : 'FAIL'} |`);
  console.log('');
  return bench;
}
