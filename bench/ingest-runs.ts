import { join } from 'node:path';
import type { FleetFile } from '../shared/fleet.ts';
import { influxCeiling } from './influx-ceiling.ts';
import { ingestPhase } from './ingest.ts';
import type { LoadSpec } from './load-worker.ts';
import type { BenchOptions } from './options.ts';
import { startPlatform } from './platform.ts';
import { watchProc } from './proc.ts';
import type { BenchDevice } from './readings.ts';
import { int, quantile, round, say, sleep } from './util.ts';

/**
 * `--only ingest`: the raised ingest targets of issue 18, as they are defined: the raw InfluxDB
 * ceiling and closed-loop QoS 1 ingest measured one after the other `runs` times (each run a fresh
 * influxd and cloud), the median of the ratios and of the cloud's CPU per stored reading.
 */
/** Where the runs happen: the bench's fleet, the gateways the load sends as, the cloud's environment. */
export interface IngestRunsPlace {
  dir: string;
  fleet: FleetFile;
  gateways: { id: string; devices: BenchDevice[] }[];
  cloudEnv: Record<string, string>;
}

export interface IngestRun {
  ceilingPerS: number;
  ingestPerS: number;
  ratio: number;
  lost: number;
  zeroLoss: boolean;
  cloudUsPerReading: number;
  influxdUsPerReading: number;
  ceilingUsPerPoint: number;
  machineCores: number;
}

/** The targets, as issue 18 states them. */
export const ingestTargets = { ratio: 0.65, cloudUsPerReading: 7 };

export async function ingestRuns(flags: BenchOptions, place: IngestRunsPlace) {
  const options = { ...flags, ...place, runs: flags.ingestRuns };
  const runs: IngestRun[] = [];
  const devices = options.gateways.flatMap((g) => g.devices);
  for (let i = 0; i < options.runs; i++) {
    const label = `(ingest ${i + 1}/${options.runs})`;
    // Device time: a day apart per run, so that no run's readings land in another's COUNT.
    const tsBase = Date.now() - (3 + i) * 24 * 3_600_000;
    say(`${label} InfluxDB ceiling: ${options.influxWriters} writers × ${options.influxBatch} lines`);
    const ceiling = await influxCeiling({
      dir: join(options.dir, `run-${i}`),
      devices,
      batchLines: options.influxBatch,
      writers: options.influxWriters,
      durationS: options.ceilingDurationS,
      tsBase,
    });
    say(`${label} ceiling ${int(ceiling.pointsPerS)} points/s; starting the cloud`);
    const platform = await startPlatform(
      join(options.dir, `run-${i}`, 'platform'),
      [options.fleet],
      options.gateways.map((g) => g.id),
      options.cloudEnv,
    );
    try {
      await settled(platform.pid, label);
      const spec: LoadSpec = {
        url: platform.mqttUrl,
        gateways: options.gateways.map((g) => ({ ...g, secret: platform.secrets.get(g.id) ?? '' })),
        batchSize: options.batch,
        qos: 1,
        window: options.window,
        ratePerS: 0,
        durationS: options.durationS,
        tsBase: tsBase + 12 * 3_600_000,
        runId: `i${i}${Date.now().toString(36)}`,
      };
      const ingest = await ingestPhase(platform, spec, `${label} ingest`);
      const run = {
        ceilingPerS: ceiling.pointsPerS,
        ingestPerS: ingest.readingsPerS,
        ratio: ingest.readingsPerS / ceiling.pointsPerS,
        lost: ingest.lost,
        zeroLoss: ingest.zeroLoss,
        cloudUsPerReading: (ingest.cloud.cpuS * 1e6) / ingest.stored,
        influxdUsPerReading: (ingest.influxdCores * ingest.seconds * 1e6) / ingest.stored,
        ceilingUsPerPoint: (ceiling.influxdCores * 1e6) / ceiling.pointsPerS,
        machineCores: ingest.machineCores,
      };
      say(
        `${label} ${int(run.ingestPerS)} readings/s stored = ${(run.ratio * 100).toFixed(1)} % of the ceiling; lost ${int(run.lost)}; cloud ${run.cloudUsPerReading.toFixed(1)} µs per reading`,
      );
      runs.push(run);
    } finally {
      await platform.stop();
    }
  }
  const median = (pick: (r: IngestRun) => number) => quantile(runs.map(pick), 0.5);
  const ratio = median((r) => r.ratio);
  const cloudUs = median((r) => r.cloudUsPerReading);
  const zeroLoss = runs.every((r) => r.zeroLoss);
  return {
    runs: runs.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? round(v, 3) : v])),
    ),
    medianRatio: round(ratio, 3),
    medianCloudUsPerReading: round(cloudUs, 2),
    targets: [
      {
        target: `end-to-end QoS 1 ingest >= ${ingestTargets.ratio * 100}% of the raw InfluxDB ceiling (median of ${runs.length} runs), zero loss`,
        measured: `median ${(ratio * 100).toFixed(1)} % (${runs.map((r) => `${(r.ratio * 100).toFixed(1)} %`).join(', ')}); ${zeroLoss ? 'no loss' : 'LOSS'}`,
        pass: zeroLoss && ratio >= ingestTargets.ratio,
      },
      {
        target: `cloud CPU per stored reading <= ${ingestTargets.cloudUsPerReading} µs (median)`,
        measured: `median ${cloudUs.toFixed(2)} µs (${runs.map((r) => r.cloudUsPerReading.toFixed(2)).join(', ')})`,
        pass: cloudUs <= ingestTargets.cloudUsPerReading,
      },
    ],
  };
}

/**
 * Waits until the cloud is done starting (under 0.05 cores for a second; at most 60 s): a fresh cloud
 * first writes its registry and builds its map indexes, which would land in a 6-second quick run's
 * CPU per reading.
 */
async function settled(pid: number, label: string): Promise<void> {
  const started = performance.now();
  for (;;) {
    const watch = watchProc(pid);
    await sleep(1_000);
    const { cores } = watch.stop();
    if (cores < 0.05 || performance.now() - started > 60_000) {
      say(
        `${label} the cloud is idle (${cores.toFixed(2)} cores) after ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      return;
    }
  }
}

export type IngestRunsResult = Awaited<ReturnType<typeof ingestRuns>>;

export function printIngestRuns(result: IngestRunsResult): void {
  console.log('\nIngest, run by run (ceiling and end-to-end, one after the other)');
  console.log(
    'run | ceiling points/s | stored readings/s | ratio | lost | cloud µs/reading | influxd µs/reading',
  );
  for (const [i, r] of result.runs.entries())
    console.log(
      `${i + 1} | ${int(Number(r.ceilingPerS))} | ${int(Number(r.ingestPerS))} | ${(Number(r.ratio) * 100).toFixed(1)} % | ${r.lost} | ${r.cloudUsPerReading} | ${r.influxdUsPerReading}`,
    );
  for (const t of result.targets) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.target}: ${t.measured}`);
}
