import turfBuffer from '@turf/buffer';
import turfConvex from '@turf/convex';
import { featureCollection, lineString, point } from '@turf/helpers';
import type { Feature, Polygon } from 'geojson';

export type DistrictFeature = Feature<Polygon, { district: string; devices: number }>;

/** A district's distinct grid points, flat (`lon, lat, lon, lat, …`), and how many devices it has. */
export interface DistrictPoints {
  district: string;
  devices: number;
  points: Float64Array;
}

/** How far an outline reaches beyond the outermost devices of its district. */
const marginKm = 0.15;

/**
 * The outline around a district's distinct points: their concave hull (concaveman through
 * @turf/convex, concavity 2) widened by a margin (@turf/buffer); one or two points get a disc or a
 * capsule around them. Undefined when the buffer gives no single polygon.
 */
export function outlineOf({ district, devices, points }: DistrictPoints): DistrictFeature | undefined {
  const distinct = Array.from({ length: points.length / 2 }, (_, i): [number, number] => [
    points[2 * i] as number,
    points[2 * i + 1] as number,
  ]);
  const hull =
    distinct.length >= 3
      ? turfConvex(featureCollection(distinct.map((p) => point(p))), { concavity: 2 })
      : null;
  const shape = hull ?? (distinct.length >= 2 ? lineString(distinct) : point(distinct[0] ?? [0, 0]));
  const widened = turfBuffer(shape, marginKm, { units: 'kilometers', steps: 8 });
  if (widened?.geometry.type !== 'Polygon') return undefined;
  return { ...(widened as Feature<Polygon>), properties: { district, devices } };
}

/** The outlines of the districts, in their order (those the buffer gives no single polygon for left out). */
export function outlinesOf(districts: readonly DistrictPoints[]): DistrictFeature[] {
  return districts.map(outlineOf).filter((outline) => outline !== undefined);
}
