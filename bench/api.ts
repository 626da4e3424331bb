import { join } from 'node:path';
import autocannon from 'autocannon';
import type { FleetFile } from '../shared/fleet.ts';
import { acknowledgedPerS, startLoad } from './load.ts';
import { type Platform, startPlatform } from './platform.ts';
import { readProc, watchProc } from './proc.ts';
import type { BenchDevice } from './readings.ts';
import { printRegion, type RegionFigures } from './region.ts';
import { int, mb, round } from './util.ts';

/** One endpoint under load: its requests are sent in turn by each client. */
interface Target {
  name: string;
  paths: string[];
}

export interface ApiTargetResult {
  name: string;
  paths: string[];
  requests: number;
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The worst latency of the warm-up before the measured seconds (cold code; not in the figures above); null without one. */
  warmupMaxMs: number | null;
  /** Mean size of an answer's body and headers. */
  bytesPerRequest: number;
  non2xx: number;
  errors: number;
  peakRssBytes: number;
  /**
   * The cloud's CPU time (all its threads) per answer, ms: what an answer costs, steadier than the
   * latencies on a shared machine (16 clients queue behind each other and the machine's other work).
   */
  cloudCpuMsPerAnswer: number;
}

export interface ApiResult {
  connections: number;
  durationS: number;
  /** Seconds of load on each target before its measured seconds (`--api-warmup`). */
  warmupS: number;
  targets: ApiTargetResult[];
  /** The cloud's RSS before the first target, and its highest sample under the load. */
  idleRssBytes: number;
  peakRssBytes: number;
}

/** Viewports of the console's map: the whole city, a district, a few streets (bbox west,south,east,north). */
function viewports(fleet: FleetFile) {
  // A loop, not Math.min(...all): a million arguments overflow the stack.
  let [w, s, e, n] = [180, 90, -180, -90];
  for (const { location } of fleet.devices) {
    w = Math.min(w, location.lon);
    e = Math.max(e, location.lon);
    s = Math.min(s, location.lat);
    n = Math.max(n, location.lat);
  }
  const { lat, lon } = fleet.city.location;
  const box = (dLon: number, dLat: number) =>
    [lon - dLon, lat - dLat, lon + dLon, lat + dLat].map((v) => v.toFixed(5)).join(',');
  return {
    city: [w, s, e, n].map((v) => v.toFixed(5)).join(','),
    cityZoom: fittingZoom([w, s, e, n]),
    district: box(0.02, 0.012),
    streets: box(0.004, 0.0025),
  };
}

/** Mercator x and y of a longitude and latitude, 0-1 over the world. */
const mercatorX = (lon: number) => (lon + 180) / 360;
const mercatorY = (lat: number) =>
  0.5 - Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) / (2 * Math.PI);

/**
 * The zoom at which the console's map (a 1280×860 window, 30 px of padding, 512-px tiles) fits the
 * fleet's bounds, as its fitBounds does at the start, rounded up: 12 for a city (11.4 for 100,000
 * devices), 10 for a region of ten towns (9.8).
 */
function fittingZoom([w, s, e, n]: number[]): number {
  const world = 512;
  const fit = Math.log2(
    Math.min(
      (1280 - 60) / (world * Math.max(1e-9, mercatorX(e as number) - mercatorX(w as number))),
      (860 - 60) / (world * Math.max(1e-9, mercatorY(s as number) - mercatorY(n as number))),
    ),
  );
  return Math.min(22, Math.max(0, Math.ceil(fit)));
}

/** The console's questions, at 100,000 devices. */
export function apiTargets(fleet: FleetFile): Target[] {
  const v = viewports(fleet);
  const district = fleet.devices[0]?.district ?? 'centre';
  // The fleet's first two kinds (the bench names none: kinds are one folder each).
  const [kindA, kindB = kindA] = [...new Set(fleet.devices.map((d) => d.kind))];
  return [
    {
      name: `/map/clusters (city z${v.cityZoom}, district z14, streets z17)`,
      paths: [
        `/api/v1/map/clusters?bbox=${v.city}&zoom=${v.cityZoom}`,
        `/api/v1/map/clusters?bbox=${v.district}&zoom=14`,
        `/api/v1/map/clusters?bbox=${v.streets}&zoom=17`,
        `/api/v1/map/clusters?bbox=${v.city}&zoom=${v.cityZoom}&kind=${kindA}`,
      ],
    },
    { name: '/summary', paths: ['/api/v1/summary', `/api/v1/summary?district=${district}`] },
    {
      name: '/devices filtered (kind; kind+district; status)',
      paths: [
        `/api/v1/devices?kind=${kindB}&limit=50`,
        `/api/v1/devices?kind=${kindA}&district=${district}&limit=50&sort=-lastSeen`,
        '/api/v1/devices?status=offline&limit=50&offset=200',
      ],
    },
    {
      name: '/map (streets viewport, bounded)',
      paths: [`/api/v1/map?bbox=${v.streets}`, `/api/v1/map?bbox=${v.district}&kind=${kindB}`],
    },
  ];
}

const ms = (n: number) => round(n, 1) ?? Number.NaN;

/**
 * `connections` HTTP clients (autocannon, keep-alive, one request in flight each) against each target
 * for `warmupS` seconds, not counted (its worst latency kept apart), then `durationS` seconds measured,
 * one target after another; the cloud's RSS sampled meanwhile.
 */
export async function apiBench(options: {
  apiUrl: string;
  token: string;
  pid: number;
  targets: Target[];
  connections: number;
  durationS: number;
  warmupS: number;
  say: (line: string) => void;
}): Promise<ApiResult> {
  const { apiUrl, token, pid, targets, connections, durationS, warmupS, say } = options;
  const idle = watchProc(pid).stop();
  const results: ApiTargetResult[] = [];
  const load = (target: Target, duration: number) =>
    autocannon({
      url: apiUrl,
      connections,
      duration,
      timeout: 30,
      headers: { authorization: `Bearer ${token}` },
      requests: target.paths.map((path) => ({ method: 'GET' as const, path })),
    });
  for (const [i, target] of targets.entries()) {
    say(
      `(api ${i + 1}/${targets.length}) ${target.name}: ${connections} clients for ${warmupS} s of warm-up, then ${durationS} s`,
    );
    const warmup = warmupS > 0 ? await load(target, warmupS) : undefined;
    const watch = watchProc(pid);
    const run = load(target, durationS);
    let seconds = 0;
    const progress = setInterval(() => say(`(api) ${target.name}: ${++seconds * 2} s`), 2_000);
    const r = await run;
    clearInterval(progress);
    const usage = watch.stop();
    const result: ApiTargetResult = {
      name: target.name,
      paths: target.paths,
      requests: r.requests.total,
      requestsPerS: round(r.requests.total / r.duration) ?? 0,
      p50Ms: ms(r.latency.p50),
      p99Ms: ms(r.latency.p99),
      maxMs: ms(r.latency.max),
      warmupMaxMs: warmup ? ms(warmup.latency.max) : null,
      bytesPerRequest: Math.round(r.throughput.total / Math.max(1, r.requests.total)),
      non2xx: r.non2xx,
      errors: r.errors,
      peakRssBytes: usage.peakRssBytes,
      cloudCpuMsPerAnswer: round((usage.cpuS * 1000) / Math.max(1, r.requests.total), 2) ?? Number.NaN,
    };
    results.push(result);
    say(
      `(api) ${target.name}: ${int(result.requestsPerS)} requests/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${int(result.bytesPerRequest)} B each, ${result.non2xx} non-2xx; cloud CPU ${result.cloudCpuMsPerAnswer} ms per answer, RSS peak ${mb(result.peakRssBytes)}`,
    );
  }
  return {
    connections,
    durationS,
    warmupS,
    targets: results,
    idleRssBytes: idle.peakRssBytes,
    peakRssBytes: Math.max(...results.map((r) => r.peakRssBytes)),
  };
}

/** The API section as a table. */
export function printApi(api: ApiResult): void {
  console.log(
    `\nAPI with ${api.connections} HTTP clients, ${api.durationS} s per target after ${api.warmupS} s of warm-up (indicative: shared machine)`,
  );
  const rows = api.targets.map((t) => [
    t.name,
    int(t.requestsPerS),
    `${t.p50Ms}`,
    `${t.p99Ms}`,
    `${t.warmupMaxMs ?? '-'}`,
    int(t.bytesPerRequest),
    `${t.non2xx}`,
    `${t.cloudCpuMsPerAnswer}`,
    mb(t.peakRssBytes),
  ]);
  const header = [
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    'warm-up max ms',
    'bytes/answer',
    'non-2xx',
    'cloud CPU ms/answer',
    'cloud RSS peak',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  for (const row of [header, ...rows])
    console.log(
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  '),
    );
  console.log(`cloud RSS before the load ${mb(api.idleRssBytes)}, peak under it ${mb(api.peakRssBytes)}\n`);
}

/**
 * The API section alone (`--only api`): influxd and the cloud holding `fleet` on an empty data
 * directory (start-up: every device written), the console's questions, then the cloud started again
 * on the same directory (restart: every device read back); issue 18's verdicts from a region's size.
 * With `background`, the fleet's first 40 gateways send that many readings/s (QoS 1, batches of 100)
 * for `durationS` while the questions are asked (once they are all connected: each connection's
 * password check takes its time): answers about devices that report and change.
 */
export async function apiOnly(o: {
  dir: string;
  fleet: FleetFile;
  env: Record<string, string>;
  say: (line: string) => void;
  measure: (platform: Platform) => Promise<ApiResult>;
  background?: { ratePerS: number; durationS: number };
}) {
  const devices = o.fleet.devices.length;
  const senders = new Map<string, BenchDevice[]>(
    o.background && o.background.ratePerS > 0 ? o.fleet.gateways.slice(0, 40).map((g) => [g.id, []]) : [],
  );
  for (const d of o.fleet.devices) senders.get(d.gatewayId)?.push(d);
  o.say(`(api) starting influxd and the cloud with ${int(devices)} registered devices`);
  const platform = await startPlatform(o.dir, [o.fleet], [...senders.keys()], o.env);
  /** Start-up's wall time, and the cloud's CPU seconds so far (steadier than wall time on a shared machine). */
  const started = () => {
    const proc = readProc(platform.pid);
    return {
      startupS: platform.startupS,
      cpuS: proc?.cpuS ?? Number.NaN,
      rssBytes: proc?.rssBytes ?? Number.NaN,
    };
  };
  const start = started();
  o.say(
    `(api) cloud up in ${start.startupS.toFixed(1)} s (${start.cpuS.toFixed(1)} CPU s); RSS ${mb(start.rssBytes)}`,
  );
  const load =
    senders.size > 0 && o.background
      ? startLoad(
          {
            url: platform.mqttUrl,
            gateways: [...senders].map(([id, sent]) => ({
              id,
              secret: platform.secrets.get(id) ?? '',
              devices: sent,
            })),
            batchSize: 100,
            qos: 1,
            window: 8,
            ratePerS: o.background.ratePerS,
            durationS: o.background.durationS,
            tsBase: Date.now() - 3_600_000,
            runId: `api${Date.now().toString(36)}`,
          },
          '(api) background',
        )
      : undefined;
  if (load) await Promise.race([load.started, load.result]);
  const api = await o.measure(platform);
  const sent = await load?.result;
  const background = sent && {
    asked: o.background?.ratePerS ?? 0,
    achieved: Math.round(acknowledgedPerS(sent)),
  };
  if (background)
    o.say(
      `(api) background readings: ${int(background.achieved)}/s acknowledged of ${int(background.asked)} asked`,
    );
  printApi(api);
  await platform.restartCloud(join(o.dir, 'cloud'));
  const restart = started();
  o.say(
    `(api) restarted on the same data in ${restart.startupS.toFixed(1)} s (${restart.cpuS.toFixed(1)} CPU s); RSS ${mb(restart.rssBytes)}`,
  );
  await platform.stop();
  const figures: RegionFigures = { devices, startupS: start.startupS, restartS: restart.startupS, api };
  return { api, start, restart, background, region: printRegion(figures) };
}
