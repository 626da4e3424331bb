import turfBuffer from '@turf/buffer';
import turfConvex from '@turf/convex';
import { featureCollection, lineString, point } from '@turf/helpers';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import type { MapDevice } from './cluster-index.ts';

export type DistrictFeature = Feature<Polygon, { district: string; devices: number }>;

/** How far an outline reaches beyond the outermost devices of its district. */
const marginKm = 0.15;

/** Positions are snapped to a grid this fine (degrees, ~30 m) before the hull: far fewer points, well inside the margin. */
const gridDeg = 0.0003;

/**
 * One outline per district, generated from where its devices are: the concave hull of their
 * positions (snapped to a ~30 m grid; concaveman through @turf/convex, concavity 2), widened by a
 * margin (@turf/buffer); a
 * district of one or two devices gets a disc or a capsule around them.
 */
export function districtOutlines(devices: readonly MapDevice[]): FeatureCollection<Polygon> {
  const byDistrict = new Map<string, [number, number][]>();
  for (const d of devices) {
    let positions = byDistrict.get(d.district);
    if (!positions) {
      positions = [];
      byDistrict.set(d.district, positions);
    }
    positions.push([d.lon, d.lat]);
  }
  const features: DistrictFeature[] = [];
  for (const [district, positions] of [...byDistrict].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const outline = outlineOf(positions);
    if (outline) features.push({ ...outline, properties: { district, devices: positions.length } });
  }
  return { type: 'FeatureCollection', features };
}

function outlineOf(positions: [number, number][]): Feature<Polygon> | undefined {
  const snapped = positions.map(([lon, lat]): [number, number] => [
    Math.round(lon / gridDeg) * gridDeg,
    Math.round(lat / gridDeg) * gridDeg,
  ]);
  const distinct = [...new Map(snapped.map((p) => [p.join(','), p])).values()];
  const hull =
    distinct.length >= 3
      ? turfConvex(featureCollection(distinct.map((p) => point(p))), { concavity: 2 })
      : null;
  const shape = hull ?? (distinct.length >= 2 ? lineString(distinct) : point(distinct[0] ?? [0, 0]));
  const widened = turfBuffer(shape, marginKm, { units: 'kilometers', steps: 8 });
  return widened?.geometry.type === 'Polygon' ? (widened as Feature<Polygon>) : undefined;
}
