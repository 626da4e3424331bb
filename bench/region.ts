import type { ApiResult } from './api.ts';
import { mb } from './util.ts';

/** Issue 18: a region is 1,000,000 registered devices or more; its targets apply from there. */
export const regionDevices = 1_000_000;
export const regionTargets = { rssBytes: 1.2e9, startupS: 20, p99Ms: 100 } as const;

/** What the API section measured of a cloud holding `devices` registered devices. */
export interface RegionFigures {
  devices: number;
  /** Start-up on an empty data directory (every device written), and again on it (every device read back). */
  startupS: number;
  restartS?: number;
  api: ApiResult;
}

/** A target, what was measured, and whether it is met (the shape bench/summary.ts reads). */
export interface Verdict {
  target: string;
  measured: string;
  pass: boolean;
}

/** The device list and map answers: the targets whose p99 issue 18 bounds. */
const listsAndMaps = (name: string) => name.startsWith('/devices') || name.startsWith('/map');

/** Issue 18's three figures, each against its target: RSS after start and under the load, start-up, p99. */
export function regionVerdicts(f: RegionFigures): Verdict[] {
  const { rssBytes, startupS, p99Ms } = regionTargets;
  const starts = [f.startupS, ...(f.restartS === undefined ? [] : [f.restartS])];
  const timed = f.api.targets.filter((t) => listsAndMaps(t.name));
  const worst = Math.max(...timed.map((t) => t.p99Ms));
  const warmups = timed.flatMap((t) => (t.warmupMaxMs === null ? [] : [t.warmupMaxMs]));
  const cold =
    warmups.length > 0 ? `; first answers, during the warm-up: up to ${Math.max(...warmups)} ms` : '';
  const answered = timed.every((t) => t.requests > 0 && t.non2xx === 0 && t.errors === 0);
  return [
    {
      target: `cloud RSS after start and under the API load < ${rssBytes / 1e9} GB (${mb(rssBytes)})`,
      measured: `${mb(f.api.idleRssBytes)} / ${mb(f.api.peakRssBytes)}`,
      pass: f.api.idleRssBytes < rssBytes && f.api.peakRssBytes < rssBytes,
    },
    {
      target: `start-up${f.restartS === undefined ? '' : ' (empty store / restart)'} < ${startupS} s`,
      measured: starts.map((s) => `${s.toFixed(1)} s`).join(' / '),
      pass: starts.every((s) => s < startupS),
    },
    {
      target: `device list and map answers p99 < ${p99Ms} ms (after the warm-up)`,
      measured: `${worst} ms worst${answered ? '' : ' (some unanswered or refused)'}${cold}`,
      pass: answered && worst < p99Ms,
    },
  ];
}

/** Prints the verdicts when the fleet is a region's (figures for the record, never a test). */
export function printRegion(f: RegionFigures): { devices: number; targets: Verdict[] } | undefined {
  if (f.devices < regionDevices) return undefined;
  const targets = regionVerdicts(f);
  console.log(`A region: ${f.devices.toLocaleString('en')} registered devices (issue 18's targets)`);
  for (const v of targets) console.log(`  ${v.pass ? 'PASS' : 'FAIL'}  ${v.target}: ${v.measured}`);
  console.log('');
  return { devices: f.devices, targets };
}
