import type { FeatureCollection, Polygon } from 'geojson';
import { inTimedRuns, nextTurn } from '../lifecycle/timed-runs.ts';
import type { LocatedDevices } from './cluster-index.ts';
import type { DistrictFeature, DistrictPoints } from './outline.ts';
import { outlinesInThread } from './outlines-thread.ts';

/** Positions are snapped to a grid this fine (degrees, ~30 m) before the hull: far fewer points, well inside the margin. */
const gridDeg = 0.0003;

/** Makes the outlines of districts' points, in their order (`outlinesOf`, outline.ts). */
export type OutlineMaker = (districts: DistrictPoints[]) => Promise<DistrictFeature[]>;

/**
 * One outline per district, generated from where its devices are (`outlineOf`: the concave hull of
 * their positions, snapped to a ~30 m grid as they are read, each grid point once, widened by a
 * margin). The positions are read in timed runs and each district's grid is made in a turn of its
 * own, so that a tenant started while others run (created, resumed) does not hold their ingest and
 * API; the hulls are made by `make`: by default a thread of their own (`outlinesInThread`, a region of
 * a million devices in 80 districts: ~1.3–2.6 s of CPU).
 */
export async function districtOutlines(
  devices: LocatedDevices,
  options: { make?: OutlineMaker; pause?: () => Promise<void> } = {},
): Promise<FeatureCollection<Polygon>> {
  const pause = options.pause ?? nextTurn;
  const make = options.make ?? outlinesInThread;
  // Each district's devices by position in the columns.
  const members = new Map<string, number[]>();
  await inTimedRuns(
    devices.records.keys(),
    (take) => {
      for (let at = take(); at !== undefined; at = take()) {
        const { district } = devices.records[at] as LocatedDevices['records'][number];
        const found = members.get(district);
        if (found) found.push(at);
        else members.set(district, [at]);
      }
    },
    { pause },
  );
  const districts: DistrictPoints[] = [];
  for (const district of [...members.keys()].sort()) {
    await pause();
    const ats = members.get(district) as number[];
    members.delete(district);
    districts.push({ district, devices: ats.length, points: gridPoints(devices, ats) });
  }
  return { type: 'FeatureCollection', features: await make(districts) };
}

/** The distinct grid points of the devices at `ats` (their positions snapped to the grid), flat. */
function gridPoints(devices: LocatedDevices, ats: readonly number[]): Float64Array {
  // One number per grid point: x and y are within ±600,000 (180° / 0.0003°).
  const keys = new Set<number>();
  for (const at of ats) {
    const x = Math.round((devices.lon[at] as number) / gridDeg);
    const y = Math.round((devices.lat[at] as number) / gridDeg);
    keys.add((x + gridSpan) * 2 * gridSpan + (y + gridSpan));
  }
  const points = new Float64Array(2 * keys.size);
  let i = 0;
  for (const key of keys) {
    const y = (key % (2 * gridSpan)) - gridSpan;
    const x = (key - (y + gridSpan)) / (2 * gridSpan) - gridSpan;
    points[i++] = x * gridDeg;
    points[i++] = y * gridDeg;
  }
  return points;
}

/** Grid points from the antimeridian to the middle: a bound for a grid point's number. */
const gridSpan = Math.ceil(180 / gridDeg) + 1;
