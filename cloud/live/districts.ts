import turfBuffer from '@turf/buffer';
import turfConvex from '@turf/convex';
import { featureCollection, lineString, point } from '@turf/helpers';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import { inTimedRuns, nextTurn } from '../lifecycle/timed-runs.ts';
import type { LocatedDevices } from './cluster-index.ts';

export type DistrictFeature = Feature<Polygon, { district: string; devices: number }>;

/** How far an outline reaches beyond the outermost devices of its district. */
const marginKm = 0.15;

/** Positions are snapped to a grid this fine (degrees, ~30 m) before the hull: far fewer points, well inside the margin. */
const gridDeg = 0.0003;

/**
 * One outline per district, generated from where its devices are: the concave hull of their
 * positions (snapped to a ~30 m grid as they are read, each grid point once; concaveman through
 * @turf/convex, concavity 2), widened by a margin (@turf/buffer); a district of one or two devices
 * gets a disc or a capsule around them. Made without holding the event loop: the positions are read
 * in timed runs and each district's outline is made in a turn of its own (a region of a million
 * devices in 80 districts: ~1.3 s of work, 15–40 ms at a time), so a tenant started while others run
 * (created, resumed) does not hold their ingest and API meanwhile.
 */
export async function districtOutlines(
  devices: LocatedDevices,
  pause: () => Promise<void> = nextTurn,
): Promise<FeatureCollection<Polygon>> {
  // Each district's devices by position in the columns; a district's grid is made only in its turn,
  // so no more than one district's points are held at once (all of a region's: ~100 MB more at its peak).
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
  const features: DistrictFeature[] = [];
  for (const district of [...members.keys()].sort()) {
    await pause();
    const ats = members.get(district) as number[];
    members.delete(district);
    const outline = outlineOf(gridPoints(devices, ats));
    if (outline) features.push({ ...outline, properties: { district, devices: ats.length } });
  }
  return { type: 'FeatureCollection', features };
}

/** The distinct grid points of the devices at `ats` (their positions snapped to the grid). */
function gridPoints(devices: LocatedDevices, ats: readonly number[]): [number, number][] {
  // One number per grid point: x and y are within ±600,000 (180° / 0.0003°).
  const keys = new Set<number>();
  for (const at of ats) {
    const x = Math.round((devices.lon[at] as number) / gridDeg);
    const y = Math.round((devices.lat[at] as number) / gridDeg);
    keys.add((x + gridSpan) * 2 * gridSpan + (y + gridSpan));
  }
  return Array.from(keys, (key) => {
    const y = (key % (2 * gridSpan)) - gridSpan;
    const x = (key - (y + gridSpan)) / (2 * gridSpan) - gridSpan;
    return [x * gridDeg, y * gridDeg];
  });
}

/** Grid points from the antimeridian to the middle: a bound for a grid point's number. */
const gridSpan = Math.ceil(180 / gridDeg) + 1;

/** The outline around distinct grid points. */
function outlineOf(distinct: [number, number][]): Feature<Polygon> | undefined {
  const hull =
    distinct.length >= 3
      ? turfConvex(featureCollection(distinct.map((p) => point(p))), { concavity: 2 })
      : null;
  const shape = hull ?? (distinct.length >= 2 ? lineString(distinct) : point(distinct[0] ?? [0, 0]));
  const widened = turfBuffer(shape, marginKm, { units: 'kilometers', steps: 8 });
  return widened?.geometry.type === 'Polygon' ? (widened as Feature<Polygon>) : undefined;
}
