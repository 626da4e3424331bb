import { z } from 'zod';

/** [west, south, east, north] in degrees (WGS 84); west > east: the box crosses the antimeridian. */
export type Bbox = [west: number, south: number, east: number, north: number];

const number = /^-?\d{1,3}(\.\d+)?$/;

/**
 * `bbox=west,south,east,north` of a query, as RFC 7946 §5 writes a bounding box: longitudes -180..180,
 * latitudes -90..90, south at most north. A box whose west is east of its east crosses the
 * antimeridian (RFC 7946 §5.2) and is accepted as such.
 */
export const bboxParam = z
  .string()
  .max(120)
  .transform((text, ctx) => {
    const parts = text.split(',');
    if (parts.length !== 4 || !parts.every((p) => number.test(p.trim()))) {
      ctx.addIssue({ code: 'custom', message: 'four numbers: west,south,east,north' });
      return z.NEVER;
    }
    const [west, south, east, north] = parts.map(Number) as Bbox;
    const issues: string[] = [];
    if (Math.abs(west) > 180 || Math.abs(east) > 180) issues.push('longitudes must be within -180..180');
    if (Math.abs(south) > 90 || Math.abs(north) > 90) issues.push('latitudes must be within -90..90');
    if (south > north) issues.push('south must not be north of north');
    for (const message of issues) ctx.addIssue({ code: 'custom', message });
    return issues.length > 0 ? z.NEVER : ([west, south, east, north] as Bbox);
  })
  .meta({
    description: 'west,south,east,north in degrees; west > east crosses the antimeridian',
    example: '3.70,51.04,3.74,51.06',
  });

/**
 * The box widened by `margin` degrees on every side (latitudes kept within -90..90, longitudes
 * wrapped): supercluster keeps positions as 32-bit floats, so a device right on an edge of the
 * box could otherwise fall out of it.
 */
export function widen([west, south, east, north]: Bbox, margin: number): Bbox {
  const wrap = (lon: number) => (lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon);
  const whole = west <= east && east - west + 2 * margin >= 360;
  return [
    whole ? -180 : wrap(west - margin),
    Math.max(-90, south - margin),
    whole ? 180 : wrap(east + margin),
    Math.min(90, north + margin),
  ];
}

/**
 * The box narrowed by `margin` degrees on every side: what lies in it lies in the box even as
 * supercluster rounds positions. None when nothing is left of it, or when the box crosses the
 * antimeridian (its points are all checked then).
 */
export function narrow([west, south, east, north]: Bbox, margin: number): Bbox | undefined {
  const box: Bbox = [west + margin, south + margin, east - margin, north - margin];
  return box[0] <= box[2] && box[1] <= box[3] ? box : undefined;
}

/** Whether a point lies in the box (edges included), across the antimeridian when the box crosses it. */
export function inBbox([west, south, east, north]: Bbox, lon: number, lat: number): boolean {
  if (lat < south || lat > north) return false;
  return west <= east ? lon >= west && lon <= east : lon >= west || lon <= east;
}
