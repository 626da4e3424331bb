import { describe, expect, it } from 'vitest';
import type { ApiResult, ApiTargetResult } from '../../../bench/api.ts';
import { printRegion, type RegionFigures, regionVerdicts } from '../../../bench/region.ts';

const target = (name: string, p99Ms: number, more: Partial<ApiTargetResult> = {}): ApiTargetResult => ({
  name,
  paths: [],
  requests: 100,
  requestsPerS: 10,
  p50Ms: 1,
  p99Ms,
  maxMs: p99Ms,
  warmupMaxMs: null,
  bytesPerRequest: 1,
  non2xx: 0,
  errors: 0,
  peakRssBytes: 1e9,
  cloudCpuMsPerAnswer: 1,
  ...more,
});
const api = (targets: ApiTargetResult[], idle = 0.9e9, peak = 1.1e9): ApiResult => ({
  connections: 16,
  durationS: 10,
  warmupS: 2,
  targets,
  idleRssBytes: idle,
  peakRssBytes: peak,
});
const figures = (over: Partial<RegionFigures> = {}): RegionFigures => ({
  devices: 1_000_000,
  startupS: 12,
  restartS: 15,
  api: api([target('/map/clusters (city)', 80), target('/summary', 500), target('/devices filtered', 95)]),
  ...over,
});
const passes = (f: RegionFigures) => regionVerdicts(f).map((v) => v.pass);

describe("issue 18's verdicts for a region", () => {
  it('passes all three when every figure is under its target; the summary is not a list or a map', () => {
    expect(passes(figures())).toEqual([true, true, true]);
    expect(regionVerdicts(figures())[2]?.measured).toBe('95 ms worst');
  });

  it("tells the warm-up's worst latency beside the p99, which it does not count in", () => {
    const warm = (name: string, p99: number, max: number) => target(name, p99, { warmupMaxMs: max });
    const f = figures({
      api: api([warm('/map', 90, 480), warm('/summary', 20, 900), warm('/devices', 40, 210)]),
    });
    expect(regionVerdicts(f)[2]).toMatchObject({
      measured: '90 ms worst; first answers, during the warm-up: up to 480 ms',
      pass: true,
    });
  });

  it('fails RSS on the peak under the load as well as after start', () => {
    expect(passes(figures({ api: { ...figures().api, peakRssBytes: 1.3e9 } }))[0]).toBe(false);
    expect(passes(figures({ api: { ...figures().api, idleRssBytes: 1.2e9 } }))[0]).toBe(false);
  });

  it('fails start-up on the restart as well as on the first start', () => {
    expect(passes(figures({ restartS: 21 }))[1]).toBe(false);
    expect(passes(figures({ startupS: 20 }))[1]).toBe(false);
    expect(passes(figures({ restartS: undefined }))[1]).toBe(true);
  });

  it('fails p99 on the worst list or map target, or when one went unanswered or refused', () => {
    expect(passes(figures({ api: api([target('/map', 100)]) }))[2]).toBe(false);
    expect(passes(figures({ api: api([target('/map', 10, { requests: 0 })]) }))[2]).toBe(false);
    expect(passes(figures({ api: api([target('/devices', 10, { non2xx: 3 })]) }))[2]).toBe(false);
  });

  it('prints nothing below a region', () => {
    expect(printRegion(figures({ devices: 999_999 }))).toBeUndefined();
  });
});
