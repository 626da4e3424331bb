import { type CrosslineCounts, isVehicleClass, type OccupancyCounts } from './axis-event.ts';

/** What the camera kind gets from the analytics: counts, never who or what was counted. */
export interface CountMetrics {
  peopleCount?: number;
  vehicleCount?: number;
  occupancy?: number;
  crowdDensity?: number;
}

/** An occupancy scenario's area: how many objects fill it (for `occupancy` in %) and its size. */
export interface Area {
  capacity?: number;
  areaM2?: number;
}

/**
 * The objects that crossed a line between two events of a Crossline counting scenario, by class.
 * Totals count from `startTime` (the scenario's last reset): after a reset the new totals are all
 * new crossings; with no earlier event (the agent just started) only the object this event is
 * about counts, as the totals hold crossings already sent before; totals that went down without a
 * reset are an older event delivered late and add nothing.
 */
export function crossedSince(
  before: CrosslineCounts | undefined,
  after: CrosslineCounts,
): { humans: number; vehicles: number } {
  if (!before)
    return {
      humans: after.reason?.toLowerCase() === 'human' ? 1 : 0,
      vehicles: isVehicleClass(after.reason) ? 1 : 0,
    };
  const reset = before.startTime !== after.startTime;
  const delta = (was: number | undefined, now: number | undefined) => {
    if (now === undefined) return 0;
    if (reset || was === undefined) return now;
    return Math.max(0, now - was);
  };
  return { humans: delta(before.humans, after.humans), vehicles: delta(before.vehicles, after.vehicles) };
}

/** An event of the same count period with lower totals than one already taken: delivered late. */
function isOlder(event: CrosslineCounts, taken: CrosslineCounts): boolean {
  const lower = (a: number | undefined, b: number | undefined) => a !== undefined && b !== undefined && a < b;
  return (
    event.startTime === taken.startTime &&
    (lower(event.humans, taken.humans) || lower(event.vehicles, taken.vehicles))
  );
}

/** Occupancy in % of the area's capacity (at most 100) and people per m², as the area allows. */
export function occupancyMetrics(counts: OccupancyCounts, area: Area): CountMetrics {
  return {
    ...(area.capacity
      ? { occupancy: Math.min(100, Math.round((1000 * counts.total) / area.capacity) / 10) }
      : {}),
    ...(area.areaM2 && counts.humans !== undefined
      ? { crowdDensity: Math.round((1000 * counts.humans) / area.areaM2) / 1000 }
      : {}),
  };
}

/**
 * One camera's counts between two polls: crossings added up over its line scenarios (a class the
 * events do not count stays absent, never 0), and the latest occupancy of its area scenarios.
 */
export class CameraTally {
  private readonly lines = new Map<string, CrosslineCounts>();
  private humans?: number;
  private vehicles?: number;
  private latest: CountMetrics = {};

  crossline(scenario: string, counts: CrosslineCounts): void {
    const before = this.lines.get(scenario);
    if (before && isOlder(counts, before)) return;
    const crossed = crossedSince(before, counts);
    this.lines.set(scenario, counts);
    if (counts.humans !== undefined) this.humans = (this.humans ?? 0) + crossed.humans;
    if (counts.vehicles !== undefined) this.vehicles = (this.vehicles ?? 0) + crossed.vehicles;
  }

  occupancy(counts: OccupancyCounts, area: Area): void {
    this.latest = { ...this.latest, ...occupancyMetrics(counts, area) };
  }

  /** What came since the last take, then starts again; undefined when nothing came. */
  take(): CountMetrics | undefined {
    const metrics: CountMetrics = {
      ...(this.humans === undefined ? {} : { peopleCount: this.humans }),
      ...(this.vehicles === undefined ? {} : { vehicleCount: this.vehicles }),
      ...this.latest,
    };
    this.humans = undefined;
    this.vehicles = undefined;
    this.latest = {};
    return Object.keys(metrics).length > 0 ? metrics : undefined;
  }
}
