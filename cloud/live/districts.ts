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
 * devices in 80 districts: ~1.3 s of work, 15–40 ms at a time), so a region's start does not wait for it.
 */
export async function districtOutlines(
  devices: LocatedDevices,
  pause: () => Promise<void> = nextTurn,
): Promise<FeatureCollection<Polygon>> {
  const byDistrict = new Map<string, { grid: Map<number, [number, number]>; devices: number }>();
  await inTimedRuns(
    devices.records.keys(),
    (take) => {
      for (let at = take(); at !== undefined; at = take()) {
        const { district } = devices.records[at] as LocatedDevices['records'][number];
        let found = byDistrict.get(district);
        if (!found) {
          found = { grid: new Map(), devices: 0 };
          byDistrict.set(district, found);
        }
        found.devices++;
        const x = Math.round((devices.lon[at] as number) / gridDeg);
        const y = Math.round((devices.lat[at] as number) / gridDeg);
        // One number per grid point: x and y are within ±600,000 (180° / 0.0003°).
        const key = (x + gridSpan) * 2 * gridSpan + (y + gridSpan);
        if (!found.grid.has(key)) found.grid.set(key, [x * gridDeg, y * gridDeg]);
      }
    },
    { pause },
  );
  const features: DistrictFeature[] = [];
  for (const [district, found] of [...byDistrict].sort(([a], [b]) => (a < b ? -1 : 1))) {
    await pause();
    const outline = outlineOf([...found.grid.values()]);
    if (outline) features.push({ ...outline, properties: { district, devices: found.devices } });
  }
  return { type: 'FeatureCollection', features };
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
