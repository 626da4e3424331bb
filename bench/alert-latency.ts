import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { connectAsync } from 'mqtt';
import { pino } from 'pino';
import { issueCredential, issueCredentials } from '../cloud/broker/credentials.ts';
import { Cloud } from '../cloud/cloud.ts';
import { loadCloudConfig } from '../cloud/config.ts';
import { connectInflux } from '../cloud/storage/influx.ts';
import { startLocalInfluxd } from '../cloud/storage/local-influxd.ts';
import { defaultTenantId } from '../shared/ids.ts';
import { gatewayTopic } from '../shared/topics.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { createRandom } from '../simulators/random.ts';
import { acknowledgedPerS, startLoad } from './load.ts';
import { type BenchDevice, probeKind } from './readings.ts';

/** The mean time between two samples' publishes (ms). */
const sampleGapMs = 40;

/** How often `--stalls` looks at the event loop (ms). */
const loopResolutionMs = 10;

/** An interval between the timer's turns (ns) as how late the turn came (ms, to a tenth). */
const lateMs = (ns: number) => Math.max(0, Math.round(ns / 1e5 - loopResolutionMs * 10) / 10);

/**
 * Publish-to-alert latency through the whole platform: a gateway publishes (MQTT, QoS 1) a reading
 * that breaks a rule, and the time until the alert's `fired` event reaches the live bus that feeds
 * the console's SSE stream is taken (and, apart, the time until its PUBACK, which waits for the disk). The cloud runs with `rules` rules and `devices` registered devices,
 * under a background load of `backgroundRatePerS` readings/s (issue 18: half the sustained ingest
 * rate) from 40 other gateways, QoS 1, batches of 100, whose readings meet the filler rules but break
 * none; the samples are taken while it runs, at random moments. With `stalls`, it also reports how late the event loop of
 * this process (the cloud's main thread) ran while the samples were taken: what holds an alert back.
 */
export async function alertLatencyBench(options: {
  rules: number;
  devices: number;
  samples: number;
  backgroundRatePerS: number;
  /** Also report the event loop's delay (p50, p99, max) while the samples were taken. */
  stalls?: boolean;
  say: (line: string) => void;
}) {
  const { say } = options;
  const dir = join(tmpdir(), `city-alert-bench-${process.pid}`);
  await mkdir(join(dir, 'fleet'), { recursive: true });
  await mkdir(join(dir, 'rules'), { recursive: true });
  const fleet = generateFleet({ seed: 3, devices: options.devices, devicesPerGateway: 1_000 });
  await writeFile(join(dir, 'fleet', 'fleet.json'), JSON.stringify(fleet));
  const districts = [...new Set(fleet.devices.map((d) => d.district))];
  const fillerMetrics = probeKind.ruleMetrics.slice(0, 3);
  const threshold = (probeKind.normal + probeKind.alarming) / 2;
  const filler = Array.from({ length: options.rules - 1 }, (_, i) => ({
    id: `filler-${i}`,
    name: `filler ${i}`,
    severity: 'info',
    target: { kind: probeKind.kind, districts: [districts[i % districts.length]] },
    condition: { type: 'threshold', metric: fillerMetrics[i % fillerMetrics.length], op: '>', value: 1e9 },
  }));
  const trigger = {
    id: 'trigger',
    name: 'trigger',
    severity: 'major',
    target: { kind: probeKind.kind },
    condition: { type: 'threshold', metric: probeKind.metric, op: '>', value: threshold },
  };
  await writeFile(join(dir, 'rules', 'bench.json'), JSON.stringify([...filler, trigger]));
  const influxd = await startLocalInfluxd(join(dir, 'influxdb'));
  const config = loadCloudConfig({
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    DATA_DIR: join(dir, 'data'),
    FLEET_DIR: join(dir, 'fleet'),
    // The benchmark's rules only: no kind's default rules (none under rules/<kind>/rules.json).
    RULES_DIR: join(dir, 'rules'),
    KIND_RULES_DIR: join(dir, 'rules'),
    INFLUX_URL: influxd.url,
    LOG_LEVEL: 'silent',
  });
  say(`starting the cloud with ${options.devices} devices and ${options.rules} rules`);
  const cloud = new Cloud({
    config,
    log: pino({ level: 'silent' }),
    influx: await connectInflux({ url: influxd.url, token: '', database: 'city', org: '' }),
  });
  await cloud.start();
  let backgroundAchieved = 0;
  let mainThreadBusy = 0;
  let samplingS = 0;
  const gateway = fleet.gateways[0]?.id as string;
  const probes = fleet.devices.filter((d) => d.gatewayId === gateway && d.kind === probeKind.kind);
  const client = await connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
    clientId: gateway,
    username: gateway,
    password: await issueCredential(config.CREDENTIALS_FILE, gateway),
    reconnectPeriod: 0,
  });
  // The alert as the console learns it: the live bus that feeds its SSE stream (no polling).
  const waiting = new Map<string, () => void>();
  cloud.cells.get(defaultTenantId)?.live.bus.on('alert', ({ transition, alert }) => {
    if (transition === 'fired' && alert.ruleId === 'trigger') waiting.get(alert.subject.id)?.();
  });
  const fired = (device: string) => new Promise<void>((resolve) => waiting.set(device, resolve));
  const latencies: number[] = [];
  const pubacks: number[] = [];
  /** Each sample's publish and alert (performance.now ms), for `stalls`' look at the slowest. */
  const spans: { from: number; to: number }[] = [];
  /** The main thread's collector pauses while the samples were taken (`stalls`). */
  const pauses: { from: number; to: number; kind: string }[] = [];
  const gcObserver = options.stalls
    ? new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
          pauses.push({
            from: entry.startTime,
            to: entry.startTime + entry.duration,
            kind: kind === constants.NODE_PERFORMANCE_GC_MINOR ? 'minor' : 'major',
          });
        }
      })
    : undefined;
  // The background: the next 40 gateways with their devices, at the rate asked, for long enough.
  const backgroundIds = fleet.gateways.slice(1, 41).map((g) => g.id);
  const secrets = await issueCredentials(config.CREDENTIALS_FILE, backgroundIds);
  const backgroundGateways = backgroundIds.map((id) => ({
    id,
    secret: secrets.get(id) ?? '',
    devices: fleet.devices.filter((d) => d.gatewayId === id) as BenchDevice[],
  }));
  // Two seconds to reach the rate, the samples, and three to spare.
  const durationS = Math.max(15, 2 + (options.samples * sampleGapMs) / 1000 + 3);
  const background =
    options.backgroundRatePerS > 0
      ? startLoad(
          {
            url: `mqtt://127.0.0.1:${cloud.mqttPort}`,
            gateways: backgroundGateways,
            batchSize: 100,
            qos: 1,
            window: 8,
            ratePerS: options.backgroundRatePerS,
            durationS,
            tsBase: Date.now() - 3_600_000,
            runId: `al${Date.now().toString(36)}`,
          },
          '(rules) background',
        )
      : undefined;
  const samplingEnds = performance.now() + (durationS - 1) * 1000;
  // A timer every `loopResolutionMs`; it records the time between two of its turns.
  const loopDelay = options.stalls ? monitorEventLoopDelay({ resolution: loopResolutionMs }) : undefined;
  try {
    // Two seconds for the background to reach its rate before the first sample.
    if (background) await new Promise((r) => setTimeout(r, 2_000));
    loopDelay?.enable();
    gcObserver?.observe({ entryTypes: ['gc'] });
    const sampling = { startedAt: performance.now(), cpu: process.threadCpuUsage() };
    // Samples start at random moments (a gap of 0 to twice `sampleGapMs`, seeded), not one after the
    // other: one after another they bunched behind the journal's flushes (each waited for its PUBACK)
    // and took only the first 1–5 s of the load.
    const random = createRandom(18);
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < Math.min(options.samples, probes.length); i++) {
      if (background && performance.now() > samplingEnds) break;
      await new Promise((r) => setTimeout(r, random.between(0, 2 * sampleGapMs)));
      const device = (probes[i] as { id: string }).id;
      const ts = new Date().toISOString();
      const started = performance.now();
      const alerted = fired(device).then(() => {
        const now = performance.now();
        latencies.push(now - started);
        spans.push({ from: started, to: now });
      });
      const acked = client.publishAsync(
        gatewayTopic(gateway, 'telemetry'),
        JSON.stringify({
          v: 1,
          gatewayId: gateway,
          sentAt: ts,
          batchId: `a${i}`,
          readings: [
            {
              deviceId: device,
              kind: probeKind.kind,
              ts,
              metrics: { [probeKind.metric]: probeKind.alarming },
            },
          ],
        }),
        { qos: 1 },
      );
      // The alert is raised as the reading is ingested; the PUBACK follows once it is on disk. Both
      // are timed from the publish, apart.
      inFlight.push(
        alerted,
        acked.then(() => pubacks.push(performance.now() - started)),
      );
      if (i % 100 === 0) say(`  ${i} alerts asked for…`);
    }
    await Promise.all(inFlight);
    loopDelay?.disable();
    gcObserver?.disconnect();
    const cpu = process.threadCpuUsage(sampling.cpu);
    // CPU of this thread per wall second: the main thread's load, which its stalls follow.
    samplingS = (performance.now() - sampling.startedAt) / 1000;
    mainThreadBusy = (cpu.user + cpu.system) / 1000 / (samplingS * 1000);
    const load = await background?.result;
    backgroundAchieved = load ? acknowledgedPerS(load) : 0;
  } finally {
    await client.endAsync(true);
    await cloud.stop();
    await influxd.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const pickOf = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return (q: number) =>
      Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number) * 10) / 10;
  };
  const pick = pickOf(latencies);
  const pickAck = pickOf(pubacks);
  return {
    rules: options.rules,
    devices: options.devices,
    samples: latencies.length,
    /** Seconds the samples took (started at random moments, `sampleGapMs` apart on average). */
    samplingS: Math.round(samplingS * 10) / 10,
    /** Readings/s of the background load: asked, and acknowledged (first publish to last PUBACK). */
    backgroundRatePerS: { asked: options.backgroundRatePerS, achieved: Math.round(backgroundAchieved) },
    publishToAlertMs: { p50: pick(0.5), p99: pick(0.99) },
    /** The same publishes' PUBACKs: once the reading is on disk (the journal's flush). */
    publishToPubackMs: { p50: pickAck(0.5), p99: pickAck(0.99) },
    ...(loopDelay && {
      /** How late the loop's timer ran while the samples were taken (a stall of 300 ms: one value of 300). */
      eventLoopDelayMs: {
        p50: lateMs(loopDelay.percentile(50)),
        p99: lateMs(loopDelay.percentile(99)),
        max: lateMs(loopDelay.max),
      },
      /** The main thread's CPU time over the same window, per wall second (1 = always busy). */
      mainThreadBusy: Math.round(mainThreadBusy * 100) / 100,
      collector: collectorPauses(pauses, spans),
    }),
  };
}

/**
 * The main thread's collector pauses while the samples were taken (count, median, p90 and max ms, by
 * kind), and how many of the slowest 1 % of samples (at least 3) had one inside them: whether the
 * p99 is the collector's.
 */
function collectorPauses(
  pauses: { from: number; to: number; kind: string }[],
  spans: { from: number; to: number }[],
) {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const of = (kind: string) => {
    const ms = pauses
      .filter((p) => p.kind === kind)
      .map((p) => p.to - p.from)
      .sort((a, b) => a - b);
    const at = (q: number) => round(ms[Math.min(ms.length - 1, Math.floor(ms.length * q))] ?? 0);
    return { count: ms.length, medianMs: at(0.5), p90Ms: at(0.9), maxMs: round(ms.at(-1) ?? 0) };
  };
  const slowest = [...spans]
    .sort((a, b) => b.to - b.from - (a.to - a.from))
    .slice(0, Math.max(3, Math.ceil(spans.length / 100)));
  const overlapped = slowest.filter((span) => pauses.some((p) => p.from < span.to && p.to > span.from));
  return {
    minor: of('minor'),
    major: of('major'),
    slowestSamples: slowest.length,
    slowestWithAPause: overlapped.length,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const result = await alertLatencyBench({
    rules: 10_000,
    devices: quick ? 20_000 : 100_000,
    samples: quick ? 100 : 500,
    backgroundRatePerS: Number(process.argv.find((a) => a.startsWith('--background='))?.slice(13) ?? 30_000),
    stalls: process.argv.includes('--stalls'),
    say: (line) => console.log(`[alerts] ${line}`),
  });
  console.log(JSON.stringify(result, null, 2));
}
